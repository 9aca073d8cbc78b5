package dev.streamscribe.cost;

import dev.streamscribe.realtime.event.ProviderUsage;

import java.time.LocalDate;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What one provider charges for one model, the way it bills: by audio duration (each commit's seconds rounded up to
 * {@code roundUpSeconds}, at {@code perMinute}) or by tokens (rates per million tokens). Rates are in the price
 * table's currency. Immutable.
 *
 * @param estimatedPerMinute for token billing, the provider's own estimate per minute of audio (empty when it gives
 *                           none): what an estimate before a run, and a turn that reported no usage, are priced at
 * @param source             where the rates were published
 * @param asOf               the date they were published or checked
 */
public record Price(String provider, String model, Billing billing, double perMinute, int roundUpSeconds,
                    double audioInputPerMillion, double textInputPerMillion, double cachedInputPerMillion,
                    double textOutputPerMillion, double audioOutputPerMillion, OptionalDouble estimatedPerMinute,
                    String source, LocalDate asOf) {
    /** How a provider bills a model. */
    public enum Billing {
        /** By seconds of audio (whisper-style transcription models). */
        DURATION,
        /** By tokens in and out (gpt-4o-*-transcribe and realtime models). */
        TOKENS
    }

    public Price {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(billing, "billing");
        Objects.requireNonNull(estimatedPerMinute, "estimatedPerMinute");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(asOf, "asOf");
    }

    /**
     * The cost of what the provider reported for one turn or response; empty when it reported nothing (or a kind of
     * usage this price does not bill by), so the caller estimates instead of counting zero.
     */
    public OptionalDouble costOf(ProviderUsage usage) {
        return switch (billing) {
            case DURATION -> usage.kind() == ProviderUsage.Kind.DURATION
                    ? OptionalDouble.of(billedSeconds(usage.durationSeconds()) * perMinute / 60)
                    : OptionalDouble.empty();
            case TOKENS -> usage.kind() == ProviderUsage.Kind.TOKENS ? OptionalDouble.of(tokenCost(usage))
                    : OptionalDouble.empty();
        };
    }

    /**
     * The cost of {@code audioMs} of audio by the provider's own per-minute figure: exact for duration billing
     * (rounded once, as one commit), an estimate for token billing; empty when token billing has no estimate.
     */
    public OptionalDouble estimateOf(long audioMs) {
        return switch (billing) {
            case DURATION -> OptionalDouble.of(billedSeconds(audioMs / 1000.0) * perMinute / 60);
            case TOKENS -> estimatedPerMinute.isPresent()
                    ? OptionalDouble.of(audioMs / 60_000.0 * estimatedPerMinute.getAsDouble()) : OptionalDouble.empty();
        };
    }

    /** Seconds as the provider bills them: rounded up to a whole number of {@code roundUpSeconds} (0: as reported). */
    double billedSeconds(double seconds) {
        if (roundUpSeconds <= 0) {
            return seconds;
        }
        return Math.ceil(seconds / roundUpSeconds - 1e-9) * roundUpSeconds;
    }

    /**
     * Tokens at their rates. Cached input tokens are counted within the input tokens by the providers and priced at
     * the cached rate; which input they were (text or audio) is not kept, so they are taken from the cheaper text
     * input first: a cost is better too high than too low (budgets stop on it).
     */
    private double tokenCost(ProviderUsage usage) {
        long audioIn = usage.inputAudioTokens();
        long textIn = usage.inputTextTokens();
        if (audioIn == 0 && textIn == 0) {
            audioIn = usage.inputTokens(); // a report without details: a transcription's input is audio
        }
        long cached = Math.min(usage.inputCachedTokens(), audioIn + textIn);
        long cachedText = Math.min(cached, textIn);
        long cachedAudio = cached - cachedText;
        double in = (audioIn - cachedAudio) * audioInputPerMillion + (textIn - cachedText) * textInputPerMillion
                + cached * cachedInputPerMillion;
        long textOut = usage.outputTextTokens();
        long audioOut = usage.outputAudioTokens();
        if (textOut == 0 && audioOut == 0) {
            textOut = usage.outputTokens(); // a transcription's output is text
        }
        double out = textOut * textOutputPerMillion + audioOut * audioOutputPerMillion;
        return (in + out) / 1_000_000;
    }
}
