package dev.streamscribe.realtime.event;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code error} object of an error event, a failed transcription or a failed response.
 *
 * @param eventId the client event that caused it, when the provider correlated it
 */
public record ErrorInfo(String type, Optional<String> code, String message, Optional<String> param,
                        Optional<String> eventId) {
    public ErrorInfo {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }

    /** {@code type/code} for reason strings, e.g. {@code invalid_request_error/input_audio_buffer_commit_empty}. */
    public String label() {
        return code.map(c -> type + "/" + c).orElse(type);
    }
}
