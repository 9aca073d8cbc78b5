package dev.streamscribe.realtime.event;

import java.util.List;
import java.util.Optional;

/**
 * What a provider tells us, in dialect-neutral form. Each dialect's codec maps wire events here; the session
 * driver switches over these exhaustively. Events the batch pipeline has no use for arrive as {@link Ignored}
 * (known) or {@link Unknown} (not in the dialect), and are counted.
 */
public sealed interface ServerEvent {
    /** The wire event type, e.g. {@code session.created}. */
    String wireType();

    record SessionCreated(String wireType, Optional<String> providerSessionId, Optional<Long> expiresAtEpochSeconds)
            implements ServerEvent {
    }

    /**
     * @param turnDetectionOn the effective session has voice activity detection on ({@code turn_detection} is an
     *                        object, not null): the provider would commit on its own, racing our manual commits
     */
    record SessionUpdated(String wireType, Optional<String> providerSessionId, boolean turnDetectionOn)
            implements ServerEvent {
    }

    /** {@code input_audio_buffer.speech_started}: only voice activity detection sends it. */
    record SpeechStarted(String wireType) implements ServerEvent {
    }

    record AudioCommitted(String wireType, String itemId, Optional<String> previousItemId) implements ServerEvent {
    }

    record AudioCleared(String wireType) implements ServerEvent {
    }

    /**
     * A new conversation item ({@code conversation.item.added} in GA and Inworld, {@code conversation.item.created} in
     * beta): what acknowledges our {@code conversation.item.create}.
     *
     * @param role    the item's role ("" when it has none, e.g. a function call)
     * @param textual whether its content is text ({@code input_text}, {@code output_text}, {@code text}), as the items
     *                we create are, rather than audio
     */
    record ItemAdded(String wireType, String itemId, String role, boolean textual) implements ServerEvent {
    }

    record TranscriptionDelta(String wireType, String itemId, String delta) implements ServerEvent {
    }

    record TranscriptionCompleted(String wireType, String itemId, String transcript, Optional<ProviderUsage> usage,
                                  List<TokenLogprob> logprobs, Optional<String> language) implements ServerEvent {
        public TranscriptionCompleted {
            logprobs = List.copyOf(logprobs);
        }
    }

    record TranscriptionFailed(String wireType, String itemId, ErrorInfo error) implements ServerEvent {
    }

    record ResponseCreated(String wireType, String responseId) implements ServerEvent {
    }

    /** Text output ({@code response.output_text.delta}; beta {@code response.text.delta}). */
    record ResponseTextDelta(String wireType, String responseId, String delta) implements ServerEvent {
    }

    /** Transcript of audio output ({@code response.output_audio_transcript.delta}; beta {@code response.audio_transcript.delta}). */
    record ResponseAudioTranscriptDelta(String wireType, String responseId, String delta) implements ServerEvent {
    }

    /**
     * {@code response.done}: always sent, whatever the outcome.
     *
     * @param status          completed, cancelled, failed or incomplete
     * @param text            text found in the response's output items (used when no deltas arrived)
     * @param audioTranscript audio transcripts found in the output items
     */
    record ResponseDone(String wireType, String responseId, String status, Optional<String> statusReason,
                        Optional<ErrorInfo> error, String text, String audioTranscript,
                        Optional<ProviderUsage> usage) implements ServerEvent {
    }

    record RateLimitsUpdated(String wireType, List<RateLimit> limits) implements ServerEvent {
        public RateLimitsUpdated {
            limits = List.copyOf(limits);
        }
    }

    record Error(String wireType, ErrorInfo error) implements ServerEvent {
    }

    /** A known event the batch pipeline does not act on (item added/done, content parts, audio deltas, ...). */
    record Ignored(String wireType) implements ServerEvent {
    }

    /** An event type this dialect does not define. Counted and ignored. */
    record Unknown(String wireType) implements ServerEvent {
    }
}
