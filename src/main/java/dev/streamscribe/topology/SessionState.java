package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * What the {@code session-state} store keeps per session: small and bounded, whatever the session's length.
 *
 * @param config         the current run's config in Avro single-object encoding (empty until one arrives)
 * @param runToken       the current run, "" until a config names one
 * @param status         where the current run is
 * @param chunks         distinct chunks indexed
 * @param maxSeq         highest seq indexed, -1 if none
 * @param endSeq         seq of the end_of_session chunk, -1 until seen
 * @param duplicates     exact duplicates dropped
 * @param lastRecordTimestamp record timestamp of the last input for this session (stream time)
 * @param lastTouchedWallMs   wall-clock time the last input was processed
 * @param attempt        attempts dispatched for the current run
 */
public record SessionState(byte[] config, String runToken, Status status, long chunks, long maxSeq, long endSeq,
                           long duplicates, long lastRecordTimestamp, long lastTouchedWallMs, int attempt) {

    /** Where a session's current run is. */
    public enum Status {
        /** Waiting for its config, its end or missing chunks. */
        ASSEMBLING,
        /** Config present, end seen, seqs contiguous: waiting for a dispatch slot. */
        READY,
        /** Sent to the provider. */
        IN_FLIGHT,
        /** Has its SessionResult (COMPLETED, COMPLETED_WITH_ERRORS or FAILED). */
        FINISHED,
        /** Has its SessionResult EXPIRED: the input never became complete. */
        EXPIRED;

        public boolean hasResult() {
            return this == FINISHED || this == EXPIRED;
        }
    }

    static SessionState empty() {
        return new SessionState(new byte[0], "", Status.ASSEMBLING, 0, -1, -1, 0, 0, 0, 0);
    }

    public Optional<SessionConfig> sessionConfig() {
        if (config.length == 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(SessionConfig.fromByteBuffer(ByteBuffer.wrap(config)));
        } catch (IOException e) {
            throw new UncheckedIOException("session-state holds an unreadable config", e);
        }
    }

    static byte[] encode(SessionConfig config) {
        try {
            ByteBuffer buffer = config.toByteBuffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean hasConfig() {
        return config.length > 0;
    }

    /** Config present, end seen and every seq from 0 to the end indexed. */
    public boolean complete() {
        return hasConfig() && endSeq >= 0 && chunks == endSeq + 1;
    }

    SessionState withAttempt(int value) {
        return new SessionState(config, runToken, status, chunks, maxSeq, endSeq, duplicates, lastRecordTimestamp,
                lastTouchedWallMs, value);
    }

    SessionState withConfig(byte[] value, String token) {
        return new SessionState(value, token, status, chunks, maxSeq, endSeq, duplicates, lastRecordTimestamp,
                lastTouchedWallMs, attempt);
    }

    SessionState withStatus(Status value) {
        return new SessionState(config, runToken, value, chunks, maxSeq, endSeq, duplicates, lastRecordTimestamp,
                lastTouchedWallMs, value == Status.ASSEMBLING || value == Status.READY ? 0 : attempt);
    }

    SessionState withChunk(long seq, boolean end) {
        return new SessionState(config, runToken, status, chunks + 1, Math.max(maxSeq, seq), end ? seq : endSeq,
                duplicates, lastRecordTimestamp, lastTouchedWallMs, attempt);
    }

    SessionState withoutChunk() {
        return new SessionState(config, runToken, status, chunks - 1, maxSeq, endSeq, duplicates, lastRecordTimestamp,
                lastTouchedWallMs, attempt);
    }

    SessionState withMaxSeq(long value) {
        return new SessionState(config, runToken, status, chunks, value, endSeq, duplicates, lastRecordTimestamp,
                lastTouchedWallMs, attempt);
    }

    SessionState withDuplicate() {
        return new SessionState(config, runToken, status, chunks, maxSeq, endSeq, duplicates + 1, lastRecordTimestamp,
                lastTouchedWallMs, attempt);
    }

    SessionState touched(long recordTimestamp, long wallMs) {
        return new SessionState(config, runToken, status, chunks, maxSeq, endSeq, duplicates,
                Math.max(lastRecordTimestamp, recordTimestamp), wallMs, attempt);
    }
}
