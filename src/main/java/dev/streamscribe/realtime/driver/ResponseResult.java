package dev.streamscribe.realtime.driver;

import dev.streamscribe.realtime.event.ErrorInfo;
import dev.streamscribe.realtime.event.ProviderUsage;

import java.util.Optional;

/** The outcome of one {@code response.create}: one per response asked for. */
public record ResponseResult(int turnIndex, Optional<String> responseId, String status, Optional<String> statusReason,
                             Optional<ErrorInfo> error, String text, String audioTranscript,
                             Optional<ProviderUsage> usage, Optional<String> itemId,
                             Optional<String> providerSessionId) {
}
