package dev.streamscribe.ingest;

import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;

/**
 * Lays a session's encoded audio out as chunks (docs/architecture.md section 3): seq 0..n, at most {@code maxChunkBytes} each
 * and sample-aligned, a turn index per chunk, {@code endOfTurn} on a turn's last chunk and {@code endOfSession}
 * (which also ends the turn) on the session's last. One full chunk is held back until the next audio arrives,
 * because whether it ends a turn or the session is only known then. Empty turns are never made. For a live session
 * ({@code releaseTurnEnds}) a turn's last chunk goes out as soon as the turn ends, so the pipeline can transcribe it
 * before the next turn's audio exists; a session that then ends without more audio gets an empty chunk that only
 * carries {@code endOfSession} (docs/producer-contract.md section 5).
 *
 * <p>Threading: not thread-safe; one instance per file.
 */
public final class ChunkSequencer {
    /** One chunk as laid out; {@code audio} is owned by the receiver. */
    public record Chunk(long seq, int turnIndex, byte[] audio, boolean endOfTurn, boolean endOfSession) {
    }

    private final int maxChunkBytes;
    private final Consumer<Chunk> sink;
    private final ByteArrayOutputStream buffer;
    private Chunk held;
    private long nextSeq;
    private int turn;
    private long turnBytes;
    private boolean finished;
    private final boolean releaseTurnEnds;

    public ChunkSequencer(int maxChunkBytes, int bytesPerSample, Consumer<Chunk> sink) {
        this(maxChunkBytes, bytesPerSample, sink, false);
    }

    /** @param releaseTurnEnds a turn's last chunk goes out when the turn ends (live sessions) */
    public ChunkSequencer(int maxChunkBytes, int bytesPerSample, Consumer<Chunk> sink, boolean releaseTurnEnds) {
        this.releaseTurnEnds = releaseTurnEnds;
        int aligned = maxChunkBytes - maxChunkBytes % bytesPerSample;
        if (aligned <= 0) {
            throw new IllegalArgumentException("chunk size " + maxChunkBytes + " holds no whole sample");
        }
        this.maxChunkBytes = aligned;
        this.sink = sink;
        this.buffer = new ByteArrayOutputStream(aligned);
    }

    /** Appends encoded audio to the current turn. */
    public void append(byte[] audio) {
        int offset = 0;
        while (offset < audio.length) {
            int take = Math.min(maxChunkBytes - buffer.size(), audio.length - offset);
            buffer.write(audio, offset, take);
            offset += take;
            turnBytes += take;
            if (buffer.size() == maxChunkBytes) {
                hold(new Chunk(nextSeq++, turn, buffer.toByteArray(), false, false));
                buffer.reset();
            }
        }
    }

    /** Ends the current turn (nothing happens if it has no audio yet). */
    public void endTurn() {
        if (turnBytes == 0) {
            return;
        }
        if (buffer.size() > 0) {
            hold(new Chunk(nextSeq++, turn, buffer.toByteArray(), true, false));
            buffer.reset();
        } else {
            held = new Chunk(held.seq(), held.turnIndex(), held.audio(), true, false);
        }
        turn++;
        turnBytes = 0;
        if (releaseTurnEnds) {
            sink.accept(held);
            held = null;
        }
    }

    /**
     * Ends the session: the last chunk carries {@code endOfSession}.
     *
     * @return the number of chunks, or 0 when no audio was appended (nothing is emitted then)
     */
    public long finish() {
        if (finished) {
            throw new IllegalStateException("finish() called twice");
        }
        finished = true;
        if (buffer.size() > 0) {
            hold(new Chunk(nextSeq++, turn, buffer.toByteArray(), true, false));
            buffer.reset();
        }
        if (held == null) {
            if (nextSeq == 0) {
                return 0;
            }
            // live: the last turn already went out with its end; this empty chunk only ends the session
            sink.accept(new Chunk(nextSeq++, turn, new byte[0], true, true));
            return nextSeq;
        }
        sink.accept(new Chunk(held.seq(), held.turnIndex(), held.audio(), true, true));
        held = null;
        return nextSeq;
    }

    /** Turns laid out so far, counting the one in progress if it has audio. */
    public int turns() {
        return turn + (turnBytes > 0 ? 1 : 0);
    }

    private void hold(Chunk next) {
        if (held != null) {
            sink.accept(held);
        }
        held = next;
    }
}
