package dev.streamscribe.cost;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What transcribing one recording will cost, before anything is sent: exact for duration billing (each turn is one
 * commit, rounded as the provider rounds), a stated range for token billing (the transcript's tokens and any
 * context are not knowable in advance: the provider's own estimate per minute, from half to twice it), nothing when
 * the model has no price or no estimate. Responses are not estimated (their output is not knowable); the estimate is
 * of transcription. Immutable.
 *
 * @param cost empty when {@code kind} is UNKNOWN_MODEL or NO_ESTIMATE
 */
public record CostEstimate(String provider, String model, long audioMs, Kind kind, Optional<Range> cost) {
    /** How far the figure can be trusted. */
    public enum Kind {
        /** Duration billing: what the provider will bill, to the rounding. */
        EXACT,
        /** Token billing: the bill will fall in the range. */
        RANGE,
        /** The price table has no entry for the model. */
        UNKNOWN_MODEL,
        /** Token billing without the provider's estimate per minute. */
        NO_ESTIMATE
    }

    /** Low and high bounds of a cost, in the price table's currency. */
    public record Range(double low, double high) {
        public Range {
            if (!(low >= 0 && high >= low)) {
                throw new IllegalArgumentException("a cost range runs from >= 0 upwards, not " + low + " to " + high);
            }
        }

        Range plus(Range other) {
            return new Range(low + other.low, high + other.high);
        }
    }

    /** The range of a token-billed estimate around the provider's own figure per minute. */
    static final double LOW_FACTOR = 0.5;
    static final double HIGH_FACTOR = 2.0;

    public CostEstimate {
        Objects.requireNonNull(cost, "cost");
        if (cost.isEmpty() != (kind == Kind.UNKNOWN_MODEL || kind == Kind.NO_ESTIMATE)) {
            throw new IllegalArgumentException(kind + " estimate " + (cost.isEmpty() ? "without" : "with") + " a cost");
        }
    }

    /**
     * Estimates the transcription of turns of {@code turnMs} each with {@code model} at {@code provider}.
     */
    public static CostEstimate of(PriceTable prices, String provider, String model, List<Long> turnMs) {
        long audioMs = turnMs.stream().mapToLong(Long::longValue).sum();
        Optional<Price> price = prices.find(provider, model);
        if (price.isEmpty()) {
            return new CostEstimate(provider, model, audioMs, Kind.UNKNOWN_MODEL, Optional.empty());
        }
        if (price.get().billing() == Price.Billing.DURATION) {
            double exact = turnMs.stream().mapToDouble(ms -> price.get().estimateOf(ms).orElseThrow()).sum();
            return new CostEstimate(provider, model, audioMs, Kind.EXACT, Optional.of(new Range(exact, exact)));
        }
        return price.get().estimateOf(audioMs).stream()
                .mapToObj(center -> new CostEstimate(provider, model, audioMs, Kind.RANGE,
                        Optional.of(new Range(center * LOW_FACTOR, center * HIGH_FACTOR))))
                .findFirst()
                .orElseGet(() -> new CostEstimate(provider, model, audioMs, Kind.NO_ESTIMATE, Optional.empty()));
    }

    /** For people: "USD 0.0060", "USD 0.0030-0.0120", or why the cost is unknown. */
    public String describe(String currency) {
        return switch (kind) {
            case EXACT -> String.format(Locale.ROOT, "%s %.4f", currency, cost.orElseThrow().low());
            case RANGE -> String.format(Locale.ROOT, "%s %.4f-%.4f", currency, cost.orElseThrow().low(),
                    cost.orElseThrow().high());
            case UNKNOWN_MODEL -> "cost unknown (no price for " + provider + "/" + model + ")";
            case NO_ESTIMATE -> "cost unknown (token-billed, no estimate per minute)";
        };
    }

    /**
     * A summary line of several estimates: the total, exact or as a range, and how many had no price.
     */
    public static String describeTotal(List<CostEstimate> estimates, String currency) {
        Range total = total(estimates);
        long unpriced = estimates.stream().filter(e -> e.cost().isEmpty()).count();
        boolean exact = estimates.stream().allMatch(e -> e.kind() == Kind.EXACT);
        String cost = exact ? String.format(Locale.ROOT, "%s %.4f (exact: duration billing)", currency, total.low())
                : String.format(Locale.ROOT, "%s %.4f to %.4f (token billing: the transcript's length is not known "
                + "before)", currency, total.low(), total.high());
        return cost + (unpriced == 0 ? "" : "; " + unpriced + " without a price");
    }

    /** The sum of several estimates' costs (those without a cost add nothing; count them apart). */
    public static Range total(List<CostEstimate> estimates) {
        Range sum = new Range(0, 0);
        for (CostEstimate estimate : estimates) {
            if (estimate.cost().isPresent()) {
                sum = sum.plus(estimate.cost().get());
            }
        }
        return sum;
    }
}
