package dev.streamscribe.realtime.driver;

import dev.streamscribe.realtime.event.ErrorInfo;
import dev.streamscribe.realtime.event.ProviderUsage;

import java.util.Optional;

/**
 * The outcome of one {@code response.create}: one per response asked for.
 *
 * @param context how the conversation before this turn was restored, when its connection resumed a run here
 *                (e.g. "context restored from text at turn 3"); empty when the connection carried every earlier turn
 */
public record ResponseResult(int turnIndex, Optional<String> responseId, String status, Optional<String> statusReason,
                             Optional<ErrorInfo> error, String text, String audioTranscript,
                             Optional<ProviderUsage> usage, Optional<String> itemId,
                             Optional<String> providerSessionId, Optional<String> context) {

    /** The provider answered with {@code response.done} (whatever its status). */
    static ResponseResult done(int turnIndex, String responseId, String status, Optional<String> statusReason,
                               Optional<ErrorInfo> error, String text, String audioTranscript,
                               Optional<ProviderUsage> usage, Optional<String> itemId, Optional<String> providerSession,
                               Optional<String> context) {
        return new ResponseResult(turnIndex, Optional.of(responseId), status, statusReason, error, text, audioTranscript,
                usage, itemId, providerSession, context);
    }

    /** The response was refused or never created: an {@code error} answered it, or its turn's commit failed. */
    static ResponseResult failed(int turnIndex, Optional<String> responseId, ErrorInfo error, Optional<String> itemId,
                                 Optional<String> providerSession, Optional<String> context) {
        return new ResponseResult(turnIndex, responseId, "failed", Optional.empty(), Optional.of(error), "", "",
                Optional.empty(), itemId, providerSession, context);
    }

    /** The text the response said: its output text, else its audio's transcript. */
    public String said() {
        return text.isEmpty() ? audioTranscript : text;
    }
}
