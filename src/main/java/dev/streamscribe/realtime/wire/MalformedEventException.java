package dev.streamscribe.realtime.wire;

/**
 * A server message that is not valid JSON, has no type, or lacks a field its type requires. The session fails
 * with a transient error (the provider may do better on a fresh connection) whose message names the event.
 */
public final class MalformedEventException extends RuntimeException {
    private final String wireType;

    public MalformedEventException(String wireType, String message) {
        super(message);
        this.wireType = wireType;
    }

    /** The event's type, or {@code "(unparseable)"} when there was none. */
    public String wireType() {
        return wireType;
    }
}
