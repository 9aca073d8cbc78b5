package dev.streamscribe.realtime.driver;

import dev.streamscribe.realtime.event.ErrorInfo;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one table that says what each provider signal means for a session (docs/architecture.md section 5). README prints
 * {@link #TABLE}; a test keeps the two equal.
 */
public final class ErrorClassifier {
    /** One row of the table, for documentation. */
    public record Rule(String signal, FailureClass failureClass, String effect) {
    }

    public static final List<Rule> TABLE = List.of(
            new Rule("`error` answering our `session.update` (matched by `event_id`)", FailureClass.PERMANENT,
                    "session FAILED (CONFIG_REJECTED), no retry"),
            new Rule("`error` of type `invalid_request_error` (missing/unknown parameter, invalid value) not tied to a commit",
                    FailureClass.PERMANENT, "session FAILED (PROVIDER_INVALID_REQUEST), no retry"),
            new Rule("upgrade refused with 400, 401, 403 or 404", FailureClass.PERMANENT,
                    "session FAILED (UPGRADE_REFUSED_<status>), no retry"),
            new Rule("`insufficient_quota` anywhere: inside `response.done`, an `error`, a failed transcription",
                    FailureClass.PERMANENT, "session FAILED (INSUFFICIENT_QUOTA), no retry; admission to the provider "
                    + "pauses until `resume-provider`, a restart or `provider.quota-pause-ms`"),
            new Rule("invalid session config (no model for a response, UNKNOWN audio format, ...)", FailureClass.PERMANENT,
                    "session FAILED (CONFIG_ERROR), never sent"),
            new Rule("audio gone from the topic", FailureClass.PERMANENT, "session FAILED (AUDIO_EXPIRED)"),
            new Rule("`error` of type `server_error`", FailureClass.TRANSIENT, "retry the session (PROVIDER_SERVER_ERROR)"),
            new Rule("`rate_limit_exceeded`, upgrade refused with 429", FailureClass.TRANSIENT,
                    "retry the session (RATE_LIMITED) and slow admission"),
            new Rule("upgrade refused with 5xx or other statuses, connection refused", FailureClass.TRANSIENT,
                    "retry the session (UPGRADE_REFUSED_<status>, CONNECT_FAILED)"),
            new Rule("`session_expired`", FailureClass.TRANSIENT, "retry the session (SESSION_EXPIRED)"),
            new Rule("abnormal close (any close before the session is done)", FailureClass.TRANSIENT,
                    "retry the session (ABNORMAL_CLOSE)"),
            new Rule("no `session.updated`, `committed`, transcription or `response.done` in time; session too long",
                    FailureClass.TRANSIENT, "retry the session (CONFIGURE_TIMEOUT, COMMIT_TIMEOUT, ITEM_TIMEOUT, RESPONSE_TIMEOUT, SESSION_TIMEOUT)"),
            new Rule("malformed server event (not JSON, no type, required field missing, oversized)", FailureClass.TRANSIENT,
                    "retry the session (MALFORMED_SERVER_EVENT)"),
            new Rule("`error` of any other type", FailureClass.TRANSIENT, "retry the session (PROVIDER_ERROR)"),
            new Rule("`conversation.item.input_audio_transcription.failed`", FailureClass.TURN,
                    "that turn FAILED (TRANSCRIPTION_FAILED), the session goes on"),
            new Rule("`error` answering one of our commits", FailureClass.TURN,
                    "that turn FAILED (COMMIT_REJECTED), the session goes on"),
            new Rule("`error` answering one of our `response.create`", FailureClass.TURN,
                    "that response recorded FAILED, the session goes on"),
            new Rule("`response.done` with status failed/incomplete/cancelled (other than quota)", FailureClass.TURN,
                    "recorded in the ResponseEvent, the session goes on"),
            new Rule("`error` answering one of our `conversation.item.create` (restoring a resumed conversation)",
                    FailureClass.TURN, "the earlier turns' audio is re-sent instead (CONTEXT_REFUSED, said in the "
                    + "ResponseEvent); the attempt is retried when that audio is no longer at hand"));

    /** The table as markdown, as README prints it. */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder("| signal | class | effect |\n|---|---|---|\n");
        TABLE.forEach(rule -> table.append("| ").append(rule.signal()).append(" | ")
                .append(rule.failureClass().name().toLowerCase(Locale.ROOT)).append(" | ")
                .append(rule.effect()).append(" |\n"));
        return table.toString();
    }

    /** What a client event was for, when an error names it. */
    enum Purpose { CONFIG, APPEND, COMMIT, CLEAR, RESPONSE, CONTEXT }

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
        if (code.equals("rate_limit_exceeded") || error.type().equals("rate_limit_exceeded")) {
            return new Classification(FailureClass.TRANSIENT, "RATE_LIMITED", detail, true);
        }
        if (error.type().equals("server_error")) {
            return Classification.transientFailure("PROVIDER_SERVER_ERROR", detail);
        }
        if (code.equals("session_expired")) {
            return Classification.transientFailure("SESSION_EXPIRED", detail);
        }
        if (correlatedTo.isPresent()) {
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
                default -> {
                    // appends and clears: judged by type below
                }
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
