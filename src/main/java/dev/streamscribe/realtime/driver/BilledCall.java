package dev.streamscribe.realtime.driver;

import dev.streamscribe.realtime.event.ProviderUsage;

import java.util.Objects;
import java.util.Optional;

/**
 * A call the provider bills, reported the moment its outcome arrives (before the pipeline decides whether to keep
 * it): a turn's transcription ({@code conversation.item.input_audio_transcription.completed}) or a response
 * ({@code response.done}), with the usage it reported, if any. Immutable.
 *
 * @param audioMs the transcribed turn's audio (what an estimate prices when no usage was reported); 0 for responses
 */
public record BilledCall(Kind kind, long audioMs, Optional<ProviderUsage> usage) {
    /** What was billed. */
    public enum Kind { TRANSCRIPTION, RESPONSE }

    public BilledCall {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(usage, "usage");
    }
}
