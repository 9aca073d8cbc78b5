package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/**
 * The {@code error} objects the local realtime server sends. Where docs/protocol.md records the providers' exact code
 * and message, those are used; where it records none, the type is {@code invalid_request_error} with a code of
 * ours, listed in {@link #OWN_CODES} and in README.
 */
public final class ServerErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Codes of ours, with what triggers them (README prints this list). */
    public record OwnCode(String code, String when) {
    }

    public static final List<OwnCode> OWN_CODES = List.of(
            new OwnCode("invalid_json", "the event is not valid JSON"),
            new OwnCode("invalid_audio_base64", "an append's `audio` is not valid base64"),
            new OwnCode("invalid_audio_length", "an append's audio is not a whole number of samples (odd byte count for pcm16)"),
            new OwnCode("event_too_large", "the event is larger than 15 MiB, the providers' per-event limit"),
            new OwnCode("turn_detection_not_supported", "a session.update asks for server or semantic VAD: the local server commits only when told"),
            new OwnCode("input_audio_buffer_too_large", "more than 64 MiB of audio is appended without a commit"),
            new OwnCode("event_not_supported", "a valid client event the local server does not implement (conversation.item.*, output_audio_buffer.clear)"));

    private ServerErrors() {
    }

    /** The {@code error} object of the realtime protocol; null code and param are sent as JSON null. */
    public static ObjectNode error(String type, String code, String message, String param) {
        ObjectNode error = JSON.createObjectNode();
        error.put("type", type);
        if (code == null) {
            error.putNull("code");
        } else {
            error.put("code", code);
        }
        error.put("message", message);
        if (param == null) {
            error.putNull("param");
        } else {
            error.put("param", param);
        }
        return error;
    }

    static ObjectNode invalidRequest(String code, String message, String param) {
        return error("invalid_request_error", code, message, param);
    }

    static ObjectNode commitTooSmall(double millis) {
        return invalidRequest("input_audio_buffer_commit_empty", String.format(Locale.ROOT,
                "Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer "
                        + "only has %.2fms of audio.", millis), null);
    }

    static ObjectNode activeResponse(String responseId) {
        return invalidRequest("conversation_already_has_active_response", "Conversation already has an active response "
                + "in progress: " + responseId + ". Wait until the response is finished before creating a new one", null);
    }

    static ObjectNode rateLimited() {
        return error("rate_limit_exceeded", "rate_limit_exceeded",
                "Rate limit reached for requests. Please try again later.", null);
    }

    /** OpenAI's words for an account that cannot pay (docs/protocol.md section 7). */
    static ObjectNode insufficientQuota() {
        return error("insufficient_quota", "insufficient_quota",
                "You exceeded your current quota, please check your plan and billing details.", null);
    }

    static ObjectNode serverError(String sessionId) {
        return error("server_error", null, "The server had an error while processing your request. Sorry about that! "
                + "You can retry your request, or contact us through our help center if the error persists. (include "
                + "session ID in your message: " + sessionId + "). We recommend you retry your request.", null);
    }

    static ObjectNode sessionExpired() {
        return invalidRequest("session_expired", "Your session hit the maximum duration of 60 minutes.", null);
    }
}
