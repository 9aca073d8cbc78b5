package dev.streamscribe.realtime.driver;

import dev.streamscribe.realtime.event.ErrorInfo;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one table that says what each provider signal means for a session (docs/architecture.md section 5). README and
 * docs/protocol.md section 7 print {@link #TABLE}; a test keeps the three equal.
 */
public final class ErrorClassifier {
    /**
     * One row of the table, for documentation.
     *
     * @param scope what the signal concerns: a turn, a response, the connection, the session, the provider
     * @param cost  what it costs in provider audio or tokens
     */
    public record Rule(String signal, FailureClass failureClass, String effect, String scope, String cost) {
    }

    public static final List<Rule> TABLE = List.of(
            new Rule("`error` answering our `session.update` (matched by `event_id`)", FailureClass.PERMANENT,
                    "session FAILED (CONFIG_REJECTED), no retry",
                    "session", "nothing: no audio was sent"),
            new Rule("`error` of type `invalid_request_error` answering one of our appends (the audio is refused)",
                    FailureClass.PERMANENT, "session FAILED (PROVIDER_INVALID_REQUEST), no retry",
                    "session", "the audio sent before it"),
            new Rule("`error` with code `beta_api_shape_disabled`, or a close with code 4000 (OpenAI retired the beta "
                    + "interface)", FailureClass.PERMANENT, "session FAILED (BETA_API_RETIRED): use `openai-ga`",
                    "every session of the dialect", "nothing: no audio was sent"),
            new Rule("`turn_detection` still on in the effective session (`session.updated`), or a `speech_started` or "
                    + "`committed` we did not ask for", FailureClass.PERMANENT, "session FAILED (VAD_ACTIVE), no retry",
                    "session", "the audio sent before it"),
            new Rule("upgrade refused with 400, 401, 403 or 404", FailureClass.PERMANENT,
                    "session FAILED (UPGRADE_REFUSED_<status>), no retry",
                    "session", "nothing: no audio was sent"),
            new Rule("`insufficient_quota` anywhere: inside `response.done`, an `error`, a failed transcription",
                    FailureClass.PERMANENT, "session FAILED (INSUFFICIENT_QUOTA), no retry; admission to the provider "
                    + "pauses until `resume-provider`, a restart or `provider.quota-pause-ms`",
                    "provider", "the refused session's audio; nothing after it (admission pauses)"),
            new Rule("invalid session config (no model for a response, UNKNOWN audio format, ...)", FailureClass.PERMANENT,
                    "session FAILED (CONFIG_ERROR), never sent",
                    "session", "nothing: never sent"),
            new Rule("audio gone from the topic", FailureClass.PERMANENT, "session FAILED (AUDIO_EXPIRED)",
                    "session", "nothing more"),
            new Rule("`error` of type `server_error` answering one of our events", FailureClass.TRANSIENT,
                    "retry the session (PROVIDER_SERVER_ERROR)",
                    "session", "its turns without a result, sent again"),
            new Rule("`rate_limit_exceeded`, upgrade refused with 429", FailureClass.TRANSIENT,
                    "retry the session (RATE_LIMITED) and slow admission",
                    "provider", "its turns without a result, sent again once admission resumes"),
            new Rule("upgrade refused with 5xx or other statuses, connection refused", FailureClass.TRANSIENT,
                    "retry the session (UPGRADE_REFUSED_<status>, CONNECT_FAILED)",
                    "connection; provider when sessions fail in a row", "nothing: no audio was sent"),
            new Rule("TLS handshake failed: the certificate is not trusted or does not name the host", FailureClass.TRANSIENT,
                    "retry the session (TLS_FAILED, saying which: set `realtime.truststore.location`, or fix `realtime.url`)",
                    "connection; provider when sessions fail in a row (admission pauses, nothing is lost)",
                    "nothing: no audio was sent"),
            new Rule("`session_expired`", FailureClass.TRANSIENT, "retry the session (SESSION_EXPIRED)",
                    "connection", "its turns without a result, sent again"),
            new Rule("abnormal close (any close before the session is done)", FailureClass.TRANSIENT,
                    "retry the session (ABNORMAL_CLOSE)",
                    "connection; provider when sessions fail in a row", "its turns without a result, sent again"),
            new Rule("no `session.updated`, `committed` or `response.done` in time; session too long",
                    FailureClass.TRANSIENT, "retry the session (CONFIGURE_TIMEOUT, COMMIT_TIMEOUT, RESPONSE_TIMEOUT, SESSION_TIMEOUT)",
                    "connection", "its turns without a result, sent again"),
            new Rule("malformed server event (not JSON, no type, required field missing, oversized)", FailureClass.TRANSIENT,
                    "retry the session (MALFORMED_SERVER_EVENT)",
                    "connection", "its turns without a result, sent again"),
            new Rule("`error` of any other type answering one of our appends", FailureClass.TRANSIENT,
                    "retry the session (PROVIDER_ERROR)",
                    "session", "its turns without a result, sent again"),
            new Rule("no transcription within `realtime.transcription-wait-ms` + `realtime.transcription-wait-per-audio` "
                    + "x the turn's length", FailureClass.TURN, "that turn FAILED (TRANSCRIPTION_TIMEOUT), the session goes on",
                    "turn", "that turn's audio, billed without a transcript"),
            new Rule("`error` saying \"Input transcription failed for item 'X'\" (OpenAI, Azure as `server_error`, Inworld)",
                    FailureClass.TURN, "turn X FAILED (TRANSCRIPTION_FAILED), the session goes on",
                    "turn", "that turn's audio"),
            new Rule("`conversation.item.input_audio_transcription.failed`", FailureClass.TURN,
                    "that turn FAILED (TRANSCRIPTION_FAILED), the session goes on",
                    "turn", "that turn's audio"),
            new Rule("`error` answering one of our commits", FailureClass.TURN,
                    "that turn FAILED (COMMIT_REJECTED), the session goes on",
                    "turn", "nothing for that turn (not committed)"),
            new Rule("`error` answering one of our `response.create`", FailureClass.TURN,
                    "that response recorded FAILED, the session goes on",
                    "response", "nothing for that response"),
            new Rule("`response.done` with status failed/incomplete/cancelled (other than quota)", FailureClass.TURN,
                    "recorded in the ResponseEvent, the session goes on",
                    "response", "that response's tokens, as reported"),
            new Rule("`error` answering one of our `conversation.item.create` (restoring a resumed conversation)",
                    FailureClass.TURN, "the earlier turns' audio is re-sent instead (CONTEXT_REFUSED, said in the "
                    + "ResponseEvent); the attempt is retried when that audio is no longer at hand",
                    "connection", "the earlier turns' audio, sent again"),
            new Rule("`error` answering our `input_audio_buffer.clear`", FailureClass.NOTED,
                    "harmless: logged and counted, the session goes on",
                    "none", "nothing"),
            new Rule("`error` not tied to any of our events (no or unknown `event_id`)", FailureClass.NOTED,
                    "logged and counted; the session goes on, and its waits decide whether it is dead",
                    "none", "nothing"));

    /** How OpenAI, Azure and Inworld report one failed transcription as an {@code error}: the item is in the message. */
    private static final Pattern TRANSCRIPTION_FAILED_FOR_ITEM =
            Pattern.compile("Input transcription failed for item '([^']+)'");

    /** The table as markdown, as README prints it. */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder("| signal | class | scope | effect | cost |\n|---|---|---|---|---|\n");
        TABLE.forEach(rule -> table.append("| ").append(rule.signal()).append(" | ")
                .append(rule.failureClass().name().toLowerCase(Locale.ROOT)).append(" | ").append(rule.scope())
                .append(" | ").append(rule.effect()).append(" | ").append(rule.cost()).append(" |\n"));
        return table.toString();
    }

    /** What a client event was for, when an error names it. */
    enum Purpose { CONFIG, APPEND, COMMIT, CLEAR, RESPONSE, CONTEXT }

    /** The item an {@code error} says failed to transcribe ("Input transcription failed for item 'X'"), if it says so. */
    static Optional<String> transcriptionFailedItem(ErrorInfo error) {
        Matcher matcher = TRANSCRIPTION_FAILED_FOR_ITEM.matcher(error.message());
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    private ErrorClassifier() {
    }

    /** Classifies an {@code error} event, given what the client event it names (if any) was for. */
    static Classification ofError(ErrorInfo error, Optional<Purpose> correlatedTo) {
        String detail = error.label() + ": " + error.message()
                + error.param().map(p -> " (param " + p + ")").orElse("")
                + error.eventId().map(id -> " [answering " + id + "]").orElse("");
        String code = error.code().orElse("");
        if (quotaExhausted(error)) {
            return Classification.permanent("INSUFFICIENT_QUOTA", detail);
        }
        if (code.equals("beta_api_shape_disabled")) {
            return Classification.permanent("BETA_API_RETIRED", "the provider no longer serves the beta interface: set "
                    + "realtime.dialect=openai-ga (" + detail + ")");
        }
        if (code.equals("rate_limit_exceeded") || error.type().equals("rate_limit_exceeded")) {
            return new Classification(FailureClass.TRANSIENT, "RATE_LIMITED", detail, true);
        }
        if (code.equals("session_expired")) {
            return Classification.transientFailure("SESSION_EXPIRED", detail);
        }
        if (correlatedTo.isEmpty()) {
            // "most errors are recoverable and the session will stay open": what waits on the provider decides
            return new Classification(FailureClass.NOTED, "PROVIDER_ERROR_NOTED", detail, false);
        }
        if (error.type().equals("server_error") && correlatedTo.get() != Purpose.CLEAR) {
            return Classification.transientFailure("PROVIDER_SERVER_ERROR", detail);
        }
        switch (correlatedTo.get()) {
            case CONFIG -> {
                return Classification.permanent("CONFIG_REJECTED", detail);
            }
            case COMMIT -> {
                return new Classification(FailureClass.TURN, "COMMIT_REJECTED", detail, false);
            }
            case RESPONSE -> {
                return new Classification(FailureClass.TURN, "RESPONSE_REJECTED", detail, false);
            }
            case CONTEXT -> {
                return new Classification(FailureClass.TURN, "CONTEXT_REFUSED", detail, false);
            }
            case CLEAR -> {
                return new Classification(FailureClass.NOTED, "CLEAR_REFUSED", detail, false);
            }
            default -> {
                // appends: judged by type below
            }
        }
        if (error.type().equals("invalid_request_error")) {
            return Classification.permanent("PROVIDER_INVALID_REQUEST", detail);
        }
        return Classification.transientFailure("PROVIDER_ERROR", detail);
    }

    /** Whether the provider says the account cannot pay ({@code insufficient_quota} as type or code). */
    static boolean quotaExhausted(ErrorInfo error) {
        return error.type().equals("insufficient_quota") || error.code().orElse("").equals("insufficient_quota");
    }

    /** Classifies an HTTP status that refused the WebSocket upgrade. */
    static Classification ofUpgradeStatus(int status, String uri) {
        String message = "WebSocket upgrade refused with HTTP " + status + " by " + uri;
        return switch (status) {
            case 400, 401, 403, 404 -> Classification.permanent("UPGRADE_REFUSED_" + status, message);
            case 429 -> new Classification(FailureClass.TRANSIENT, "UPGRADE_REFUSED_429", message, true);
            default -> Classification.transientFailure("UPGRADE_REFUSED_" + status, message);
        };
    }

    /** {@code response.done}: quota exhaustion is permanent, every other non-completed status is turn-level. */
    static Optional<Classification> ofResponseDone(String status, Optional<ErrorInfo> error) {
        if (error.isPresent() && quotaExhausted(error.get())) {
            return Optional.of(Classification.permanent("INSUFFICIENT_QUOTA",
                    "response failed: " + error.get().label() + ": " + error.get().message()));
        }
        if (status.equals("completed")) {
            return Optional.empty();
        }
        return Optional.of(new Classification(FailureClass.TURN, "RESPONSE_" + status.toUpperCase(Locale.ROOT),
                "response ended " + status + error.map(e -> ": " + e.label() + ": " + e.message()).orElse(""), false));
    }
}
