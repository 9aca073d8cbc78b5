package dev.streamscribe.client;

import dev.streamscribe.audio.AudioFileDecoder.RawFormat;
import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.StartPolicy;
import dev.streamscribe.ingest.AudioChunker;
import dev.streamscribe.ingest.ChunkSequencer;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One session being published: audio goes in with {@link #append}, turns end with {@link #endTurn}, and the session
 * ends with {@link #end} (its config is published once every chunk is acknowledged, so a session whose config is
 * visible has all its audio in Kafka) or {@link #abort} (the pipeline ends it at once, EXPIRED with reason ABORTED,
 * instead of waiting for its idle timeout). A live session (start AT_FIRST_TURN) publishes its config when it opens
 * and each turn's last chunk when the turn ends, so the pipeline transcribes turn by turn; aborting one while a turn
 * is at the provider is too late for that run (docs/producer-contract.md section 5). Chunks are published as they fill, so memory stays at about one chunk
 * whatever the session's length; {@code send} blocks when the producer's buffer is full, which paces a fast caller.
 *
 * <p>Lifecycle, with one owner (this class) and guarded moves that throw {@link IllegalStateException} naming both
 * states: OPEN -> ENDED ({@link #end}), OPEN -> ABORTED ({@link #abort}, {@link #close} while open), OPEN -> FAILED
 * (Kafka refused a record; the next call throws {@link PublishFailedException}), FAILED -> ABORTED.
 *
 * <p>Threading: every method may be called from any thread; calls are serialised on this object (appends from
 * several threads interleave in the order they take the lock, which is the caller's to decide). Producer callbacks
 * never take this lock ({@link Acknowledgements}).
 */
public final class SessionStream implements AutoCloseable {
    /** Where a session is. */
    public enum State { OPEN, ENDED, ABORTED, FAILED }

    private final SessionPublisher publisher;
    private final SessionConfig config;
    private final AudioChunker chunker;
    private final Acknowledgements acknowledgements;
    private final boolean live;
    private State state = State.OPEN;
    private long lastSeq = -1;
    private int lastTurn;

    SessionStream(SessionPublisher publisher, SessionSpec spec, SessionConfig config,
                  Acknowledgements acknowledgements) {
        this.publisher = publisher;
        this.config = config;
        this.acknowledgements = acknowledgements;
        this.live = config.getStart() == StartPolicy.AT_FIRST_TURN;
        this.chunker = new AudioChunker(spec.encoding(), spec.turns(), spec.chunkBytes(), this::send, live);
        if (live) {
            // the pipeline needs a live session's config before its first turn: it goes out now
            acknowledgements.sent();
            publisher.sendConfig(config, acknowledgements);
        }
    }

    public String sessionId() {
        return config.getSessionId();
    }

    public String runToken() {
        return config.getRunToken();
    }

    public synchronized State state() {
        return state;
    }

    /** Appends whole frames of audio in {@code layout} (any rate, 1-8 channels, 8-32-bit integer or 32-bit float). */
    public void append(byte[] audio, RawFormat layout) {
        append(audio, 0, audio.length, layout);
    }

    /**
     * Appends {@code length} bytes from {@code offset}: whole frames of audio in {@code layout}, converted to the
     * session's encoding (down-mixed, resampled) and published chunk by chunk as chunks fill.
     *
     * @throws IllegalArgumentException not a whole number of frames (nothing of it is taken)
     * @throws PublishFailedException   Kafka refused an earlier record of this session
     */
    public synchronized void append(byte[] audio, int offset, int length, RawFormat layout) {
        requireOpen("append audio to");
        chunker.append(audio, offset, length, layout);
    }

    /** Ends the current turn: the provider transcribes it as one input buffer. A turn without audio is not made. */
    public synchronized void endTurn() {
        requireOpen("end a turn of");
        chunker.endTurn();
    }

    /**
     * Ends the session: publishes its last chunk, waits until Kafka has acknowledged every chunk, then publishes its
     * config and waits for that too. The pipeline runs the session once it has both.
     *
     * @throws IllegalStateException  no audio was appended (nothing is published; append some, or abort)
     * @throws PublishFailedException Kafka refused a record; the session is FAILED and should be aborted
     */
    public synchronized PublishedSession end() {
        requireOpen("end");
        if (!chunker.hasAudio()) {
            throw new IllegalStateException("session '" + sessionId() + "' has no audio: append some before end(), or "
                    + "abort() it (nothing was published)");
        }
        long chunks = chunker.finish();
        awaitAcknowledgements("its chunks");
        if (!live) {
            acknowledgements.sent();
            publisher.sendConfig(config, acknowledgements);
            awaitAcknowledgements("its config");
        }
        state = State.ENDED;
        publisher.closed(this);
        return new PublishedSession(sessionId(), runToken(), chunker.audioMs(), chunker.turns(), chunks,
                chunker.audioBytes());
    }

    /**
     * Gives the session up: publishes an abort marker (an AudioChunk with {@code abort} set to {@code reason}), so the
     * pipeline ends it at once with a SessionResult EXPIRED, reason ABORTED, and waits until Kafka acknowledges it.
     * Nothing is published when nothing of the session was (the pipeline does not know it). Aborting an aborted
     * session does nothing.
     *
     * @throws IllegalStateException  the session has ended: it runs
     * @throws PublishFailedException Kafka refused the marker too (the session then expires at its idle timeout)
     */
    public synchronized void abort(String reason) {
        if (state == State.ABORTED) {
            return;
        }
        if (state == State.ENDED) {
            throw new IllegalStateException("session '" + sessionId() + "' cannot move from ENDED to ABORTED: its config "
                    + "is published and the pipeline runs it");
        }
        state = State.ABORTED;
        publisher.closed(this);
        if (acknowledgements.sentCount() == 0) {
            return;
        }
        AudioChunk marker = AudioChunk.newBuilder().setSessionId(sessionId()).setSeq(lastSeq + 1).setTurnIndex(lastTurn)
                .setAudio(ByteBuffer.allocate(0)).setEndOfTurn(false).setEndOfSession(false)
                .setProducedAtMs(publisher.now()).setAbort(reason == null || reason.isBlank() ? "aborted" : reason)
                .build();
        // the marker's own acknowledgement: an earlier chunk's failure (often why the caller aborts) is not the marker's
        Acknowledgements markerAcknowledged = new Acknowledgements(bytes -> { });
        markerAcknowledged.sent();
        publisher.sendChunk(marker, 0, markerAcknowledged);
        try {
            Optional<Exception> failure = markerAcknowledged.awaitAll();
            if (failure.isPresent()) {
                throw new PublishFailedException("Kafka refused the abort marker of session '" + sessionId() + "': "
                        + failure.get().getMessage() + "; the session expires at the pipeline's idle timeout instead",
                        failure.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException("interrupted while aborting session '" + sessionId() + "'", e);
        }
    }

    /** Aborts the session if it is still open or failed ("closed before end()"); otherwise does nothing. */
    @Override
    public synchronized void close() {
        if (state == State.OPEN || state == State.FAILED) {
            abort("closed before end()");
        }
    }

    private void send(ChunkSequencer.Chunk chunk) {
        lastSeq = chunk.seq();
        lastTurn = chunk.turnIndex();
        AudioChunk record = AudioChunk.newBuilder().setSessionId(sessionId()).setSeq(chunk.seq())
                .setTurnIndex(chunk.turnIndex()).setAudio(ByteBuffer.wrap(chunk.audio()))
                .setEndOfTurn(chunk.endOfTurn()).setEndOfSession(chunk.endOfSession()).setProducedAtMs(publisher.now())
                .build();
        acknowledgements.sent();
        publisher.sendChunk(record, chunk.audio().length, acknowledgements);
    }

    private void requireOpen(String action) {
        if (state == State.FAILED) {
            throw failure();
        }
        if (state != State.OPEN) {
            throw new IllegalStateException("cannot " + action + " session '" + sessionId() + "': it is " + state);
        }
        Optional<Exception> failure = acknowledgements.failure();
        if (failure.isPresent()) {
            state = State.FAILED;
            throw failure();
        }
    }

    private void awaitAcknowledgements(String what) {
        try {
            if (acknowledgements.awaitAll().isPresent()) {
                state = State.FAILED;
                throw failure();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state = State.FAILED;
            throw new PublishFailedException("interrupted while waiting for Kafka to acknowledge " + what
                    + " of session '" + sessionId() + "'", e);
        }
    }

    private PublishFailedException failure() {
        Exception cause = acknowledgements.failure().orElse(null);
        return new PublishFailedException("Kafka refused a record of session '" + sessionId() + "': "
                + (cause == null ? "unknown reason" : cause.getMessage()) + "; abort() the session", cause);
    }
}
