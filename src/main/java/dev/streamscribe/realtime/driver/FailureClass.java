package dev.streamscribe.realtime.driver;

/** How a failure affects a session (docs/architecture.md section 5). */
public enum FailureClass {
    /** Retrying cannot help: the session fails at once (FAILED + DeadLetter). */
    PERMANENT,
    /** The session is retried on a new WebSocket (its turns without a result), with backoff, up to the attempt limit. */
    TRANSIENT,
    /** Only one turn or response is affected; it is recorded and the session goes on. */
    TURN,
    /** Nothing fails: the signal is logged and counted, and the session's own waits decide whether it is dead. */
    NOTED
}
