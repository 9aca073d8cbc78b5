package dev.streamscribe.cost;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How much one application id may spend at the providers (keys {@code budget.max-cost}, {@code budget.period}):
 * admission stops once the spend of the current period reaches {@code maxCost}. Periods are calendar days or months
 * in UTC, or the application's whole life. Immutable.
 *
 * @param maxCost in the price table's currency; empty: no budget (spend is not tracked)
 */
public record Budget(OptionalDouble maxCost, Period period) {
    public static final Budget NONE = new Budget(OptionalDouble.empty(), Period.TOTAL);

    /** What spend is counted over before it starts again from zero. */
    public enum Period {
        /** Never starts again: everything the application id ever spent. */
        TOTAL,
        /** Each calendar day, UTC. */
        DAY,
        /** Each calendar month, UTC. */
        MONTH;

        /** The name of the period that holds {@code epochMs}: "total", "2026-12-07", "2026-12". */
        public String bucket(long epochMs) {
            ZonedDateTime at = Instant.ofEpochMilli(epochMs).atZone(ZoneOffset.UTC);
            return switch (this) {
                case TOTAL -> "total";
                case DAY -> at.toLocalDate().toString();
                case MONTH -> String.format(Locale.ROOT, "%04d-%02d", at.getYear(), at.getMonthValue());
            };
        }

        /** The configuration value: total, day, month. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Budget {
        Objects.requireNonNull(maxCost, "maxCost");
        Objects.requireNonNull(period, "period");
        if (maxCost.isPresent() && !(maxCost.getAsDouble() >= 0 && Double.isFinite(maxCost.getAsDouble()))) {
            throw new IllegalArgumentException("budget.max-cost must be a number >= 0, got " + maxCost.getAsDouble());
        }
    }

    public boolean limited() {
        return maxCost.isPresent();
    }
}
