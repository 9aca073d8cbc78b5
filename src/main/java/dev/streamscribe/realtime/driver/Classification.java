package dev.streamscribe.realtime.driver;

import java.util.Set;

/**
 * A classified failure.
 *
 * @param reason      stable machine-readable reason (becomes SessionResult.reason / TranscriptionEvent.reason)
 * @param message     human-readable detail; never contains secrets or audio
 * @param rateLimited the provider signalled a rate limit: the dispatcher slows admission
 */
public record Classification(FailureClass failureClass, String reason, String message, boolean rateLimited) {
    /** Reasons that say the connection failed, not the session: what a provider outage looks like. */
    private static final Set<String> CONNECTION_REASONS = Set.of("CONNECT_FAILED", "TLS_FAILED", "ABNORMAL_CLOSE",
            "CONFIGURE_TIMEOUT", "COMMIT_TIMEOUT");

    /** The provider says the account cannot pay: admission to it pauses until an operator resumes it. */
    public boolean quotaExhausted() {
        return reason.equals("INSUFFICIENT_QUOTA");
    }

    /**
     * A failure of the connection rather than of this session: connection refused or reset, a failed TLS handshake,
     * an abnormal close, an upgrade refused with 5xx, a connect, configure or commit timeout. Not turn-level timeouts and not {@code error}
     * events on an open connection. The provider breaker counts these across sessions.
     */
    public boolean connectionLevel() {
        return failureClass == FailureClass.TRANSIENT
                && (CONNECTION_REASONS.contains(reason) || reason.matches("UPGRADE_REFUSED_5\\d\\d"));
    }

    public static Classification permanent(String reason, String message) {
        return new Classification(FailureClass.PERMANENT, reason, message, false);
    }

    public static Classification transientFailure(String reason, String message) {
        return new Classification(FailureClass.TRANSIENT, reason, message, false);
    }
}
