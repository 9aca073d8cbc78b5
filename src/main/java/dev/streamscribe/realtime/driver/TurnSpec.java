package dev.streamscribe.realtime.driver;

/**
 * One turn of a session as the assembler planned it.
 *
 * @param startMs  start in milliseconds of session audio
 * @param endMs    end in milliseconds of session audio
 * @param respond  a {@code response.create} follows this turn's commit
 */
public record TurnSpec(int turnIndex, long startMs, long endMs, boolean respond) {
    /** The providers' minimum commit (docs/protocol.md section 7): shorter turns are never sent. */
    public static final long MIN_TURN_MS = 100;

    public long durationMs() {
        return endMs - startMs;
    }

    public boolean sendable() {
        return durationMs() >= MIN_TURN_MS;
    }
}
