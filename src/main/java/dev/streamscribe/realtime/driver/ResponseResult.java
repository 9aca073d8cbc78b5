package dev.streamscribe.realtime.driver;

import dev.streamscribe.realtime.event.ErrorInfo;
import dev.streamscribe.realtime.event.ProviderUsage;

import java.util.Optional;

/** The outcome of one {@code response.create}: one per response asked for. */
public record ResponseResult(int turnIndex, Optional<String> responseId, String status, Optional<String> statusReason,
                             Optional<ErrorInfo> error, String text, String audioTranscript,
                             Optional<ProviderUsage> usage, Optional<String> itemId,
                             Optional<String> providerSessionId) {

    /** The provider answered with {@code response.done} (whatever its status). */
    static ResponseResult done(int turnIndex, String responseId, String status, Optional<String> statusReason,
                               Optional<ErrorInfo> error, String text, String audioTranscript,
                               Optional<ProviderUsage> usage, Optional<String> itemId, Optional<String> providerSession) {
        return new ResponseResult(turnIndex, Optional.of(responseId), status, statusReason, error, text, audioTranscript,
                usage, itemId, providerSession);
    }

    /** The response was refused or never created: an {@code error} answered it, or its turn's commit failed. */
    static ResponseResult failed(int turnIndex, Optional<String> responseId, ErrorInfo error, Optional<String> itemId,
                                 Optional<String> providerSession) {
        return new ResponseResult(turnIndex, responseId, "failed", Optional.empty(), Optional.of(error), "", "",
                Optional.empty(), itemId, providerSession);
    }
}
