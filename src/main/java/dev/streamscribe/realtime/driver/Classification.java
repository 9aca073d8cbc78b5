package dev.streamscribe.realtime.driver;

/**
 * A classified failure.
 *
 * @param reason      stable machine-readable reason (becomes SessionResult.reason / TranscriptionEvent.reason)
 * @param message     human-readable detail; never contains secrets or audio
 * @param rateLimited the provider signalled a rate limit: the dispatcher slows admission
 */
public record Classification(FailureClass failureClass, String reason, String message, boolean rateLimited) {
    public static Classification permanent(String reason, String message) {
        return new Classification(FailureClass.PERMANENT, reason, message, false);
    }

    public static Classification transientFailure(String reason, String message) {
        return new Classification(FailureClass.TRANSIENT, reason, message, false);
    }
}
