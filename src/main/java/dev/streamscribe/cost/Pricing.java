package dev.streamscribe.cost;

import dev.streamscribe.realtime.event.ProviderUsage;

import java.util.Objects;
import java.util.Optional;

/**
 * Prices what one provider did, as it bills (docs/protocol.md section 12): what it reported, at the price table's
 * rates for the model; a call it reported nothing for, from the audio's duration at its own figure per minute,
 * marked as an estimate; unknown (empty, never zero) when the model has no price or the price gives no estimate.
 * Immutable.
 *
 * @param provider the provider's name in the price table (the dialect's vendor: openai, inworld)
 */
public record Pricing(PriceTable table, String provider) {
    public Pricing {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(provider, "provider");
    }

    /** The cost of transcribing one committed turn of {@code audioMs} with {@code model}. */
    public Optional<Charge> transcription(Optional<String> model, Optional<ProviderUsage> usage, long audioMs) {
        Optional<Price> price = model.flatMap(m -> table.find(provider, m));
        if (price.isEmpty()) {
            return Optional.empty();
        }
        Optional<Charge> reported = usage.flatMap(u -> boxed(price.get().costOf(u), false));
        return reported.isPresent() ? reported : boxed(price.get().estimateOf(audioMs), true);
    }

    /**
     * The cost of one response by the realtime {@code model}: what the provider reported; unknown without a report
     * (a response's output cannot be estimated from the audio).
     */
    public Optional<Charge> response(Optional<String> model, Optional<ProviderUsage> usage) {
        Optional<Price> price = model.flatMap(m -> table.find(provider, m));
        return price.flatMap(p -> usage.flatMap(u -> boxed(p.costOf(u), false)));
    }

    public String currency() {
        return table.currency();
    }

    private static Optional<Charge> boxed(java.util.OptionalDouble amount, boolean estimated) {
        return amount.isPresent() ? Optional.of(new Charge(amount.getAsDouble(), estimated)) : Optional.empty();
    }
}
