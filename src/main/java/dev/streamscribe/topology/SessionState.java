package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.records.SessionConfigCodec;

import java.util.Optional;

/**
 * What the {@code session-state} store keeps per session: small and bounded, whatever the session's length.
 *
 * @param config         the current run's config as {@link SessionConfigCodec} encodes it (empty until one arrives,
 *                       and again once the run has its result)
 * @param runToken       the current run, "" until a config names one
 * @param status         where the current run is
 * @param chunks         distinct chunks indexed
 * @param maxSeq         highest seq indexed, -1 if none
 * @param endSeq         seq of the end_of_session chunk, -1 until seen
 * @param duplicates     exact duplicates dropped
 * @param lastRecordTimestamp record timestamp of the last input for this session (stream time)
 * @param lastTouchedWallMs   wall-clock time the last input was processed
 * @param attempt        attempts dispatched for the current run
 * @param runStartTimestamp record timestamp of the first record seen for the current run (the session's first input
 *                       for its first run; the new config's for a later run), -1 until one is seen: the age limit
 *                       counts from it
 * @param connections    provider connections opened for the current run, whatever the reason (a retry, a restart,
 *                       a rebalance): never taken back or reused, so it fences outcomes of older connections
 * @param crashLoop      connections in a row that ended with no outcome recorded (the JVM crashed or the task moved
 *                       while the session was at the provider); reset by any outcome. Past
 *                       {@code realtime.max-dispatches} the run fails CRASH_LOOP
 *
 * <p>The lifecycle has one owner: status changes only through the named transitions below ({@link #newRun},
 * {@link #ready}, {@link #admitted}, {@link #redispatched}, {@link #providerOutage}, {@link #retryPending}, {@link #finished},
 * {@link #expired}, and for live runs (start AT_FIRST_TURN) {@link #liveContinues}, {@link #awaitingTurns},
 * {@link #liveTurnsDue}, {@link #abortedLive}), each of which
 * throws {@link IllegalStateException} naming both states on an illegal move (docs/architecture.md section 4,
 * "Session lifecycle"). Processors never call the constructor; the serde and {@link #empty()} do.
 */
public record SessionState(byte[] config, String runToken, Status status, long chunks, long maxSeq, long endSeq,
                           long duplicates, long lastRecordTimestamp, long lastTouchedWallMs, int attempt,
                           long runStartTimestamp, int connections, int crashLoop) {

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
        return new SessionState(new byte[0], "", Status.ASSEMBLING, 0, -1, -1, 0, 0, 0, 0, -1, 0, 0);
    }

    /** The current run's config, read whatever released schema wrote it ({@link SessionConfigCodec}). */
    public Optional<SessionConfig> sessionConfig() {
        return config.length == 0 ? Optional.empty() : Optional.of(SessionConfigCodec.decode(config));
    }

    static byte[] encode(SessionConfig config) {
        return SessionConfigCodec.encode(config);
    }

    public boolean hasConfig() {
        return config.length > 0;
    }

    /** Config present, end seen and every seq from 0 to the end indexed. */
    public boolean complete() {
        return hasConfig() && endSeq >= 0 && chunks == endSeq + 1;
    }

    // ---------------------------------------------------------------- lifecycle: the only ways status changes

    /**
     * A new run starts with {@code config} under {@code token}: allowed while no run is known yet (no config) or
     * once the previous run has its result. Counters of the chunks stay: they describe the session, not the run. The
     * first run's age counts from the session's first input; a later run's from its own config (the next
     * {@link #touched}).
     */
    SessionState newRun(byte[] config, String token) {
        if (!runToken.isEmpty() && !status.hasResult()) {
            throw illegal("start run " + token + " of", Status.ASSEMBLING);
        }
        return new SessionState(config, token, Status.ASSEMBLING, chunks, maxSeq, endSeq, duplicates,
                lastRecordTimestamp, lastTouchedWallMs, 0, runToken.isEmpty() ? runStartTimestamp : -1, 0, 0);
    }

    /** ASSEMBLING -> READY: config, end and every chunk are there; waiting for a slot. */
    SessionState ready() {
        return moveTo(Status.READY, attempt, Status.ASSEMBLING);
    }

    /** READY -> IN_FLIGHT: the next attempt, on a new connection. */
    SessionState admitted() {
        return moveTo(Status.IN_FLIGHT, attempt + 1, Status.READY).connecting();
    }

    /**
     * IN_FLIGHT -> IN_FLIGHT: a session found in flight after a restore, a rebalance or a stop that ran out of drain
     * time goes to the provider again on a new connection. Not an attempt (no session-specific failure happened);
     * a step of the crash loop, since its last connection ended with no outcome.
     */
    SessionState redispatched() {
        return moveTo(Status.IN_FLIGHT, attempt, Status.IN_FLIGHT).connecting();
    }

    private SessionState connecting() {
        return new SessionState(config, runToken, status, chunks, maxSeq, endSeq, duplicates, lastRecordTimestamp,
                lastTouchedWallMs, attempt, runStartTimestamp, connections + 1, crashLoop + 1);
    }

    /** IN_FLIGHT -> IN_FLIGHT: a turn got its outcome on the current connection, so the run is not crash-looping. */
    SessionState progressed() {
        return moveTo(Status.IN_FLIGHT, attempt, Status.IN_FLIGHT).withoutCrashLoop();
    }

    /**
     * IN_FLIGHT -> IN_FLIGHT: the connection failed in a provider outage (the breaker says so). The session waits to
     * go out again on a new connection, spending no attempt; an outcome arrived, so the crash loop starts over.
     */
    SessionState providerOutage() {
        return moveTo(Status.IN_FLIGHT, attempt, Status.IN_FLIGHT).withoutCrashLoop();
    }

    /** IN_FLIGHT -> READY after a transient failure with attempts left: the attempt count stays; an outcome arrived. */
    SessionState retryPending() {
        return moveTo(Status.READY, attempt, Status.IN_FLIGHT).withoutCrashLoop();
    }

    /**
     * IN_FLIGHT -> IN_FLIGHT: a live run's connection finished the turns it was given and more complete turns are due:
     * it goes out again on a new connection, spending no attempt; an outcome arrived, so the crash loop starts over.
     */
    SessionState liveContinues() {
        return moveTo(Status.IN_FLIGHT, attempt, Status.IN_FLIGHT).withoutCrashLoop();
    }

    /**
     * IN_FLIGHT -> ASSEMBLING: a live run's connection finished every complete turn; the run waits for its next turn
     * (or its end), expiring like any assembling session if none comes within the idle timeout.
     */
    SessionState awaitingTurns() {
        return moveTo(Status.ASSEMBLING, attempt, Status.IN_FLIGHT).withoutCrashLoop();
    }

    /**
     * ASSEMBLING -> IN_FLIGHT: the next turn of a live run that has had a connection is complete: it goes out on a new
     * connection (the dispatcher's redispatch) without spending an attempt.
     */
    SessionState liveTurnsDue() {
        if (connections == 0) {
            throw illegal("resume live", Status.IN_FLIGHT);
        }
        return moveTo(Status.IN_FLIGHT, attempt, Status.ASSEMBLING);
    }

    private SessionState withoutCrashLoop() {
        return new SessionState(config, runToken, status, chunks, maxSeq, endSeq, duplicates, lastRecordTimestamp,
                lastTouchedWallMs, attempt, runStartTimestamp, connections, 0);
    }

    /**
     * -> FINISHED: the run has its SessionResult (written with this change, or already in {@code finished-runs}).
     * From IN_FLIGHT (an attempt's outcome) or from ASSEMBLING and READY (refused before any attempt). The config is
     * dropped: a finished run keeps only its token; a later run brings its own config.
     */
    SessionState finished() {
        return moveTo(Status.FINISHED, attempt, Status.ASSEMBLING, Status.READY, Status.IN_FLIGHT).withoutConfig()
                .withoutCrashLoop();
    }

    /** ASSEMBLING -> EXPIRED: the input never became complete. The config is dropped, as for {@link #finished}. */
    SessionState expired() {
        return moveTo(Status.EXPIRED, attempt, Status.ASSEMBLING).withoutConfig();
    }

    /**
     * READY|IN_FLIGHT -> EXPIRED: the producer aborted a live run that had not seen its end. A connection still open
     * is stale from here on (its connection number no longer matches an IN_FLIGHT state). The config is dropped.
     */
    SessionState abortedLive() {
        return moveTo(Status.EXPIRED, attempt, Status.READY, Status.IN_FLIGHT).withoutConfig();
    }

    private SessionState withoutConfig() {
        return new SessionState(new byte[0], runToken, status, chunks, maxSeq, endSeq, duplicates, lastRecordTimestamp,
                lastTouchedWallMs, attempt, runStartTimestamp, connections, crashLoop);
    }

    /** Whether the dispatcher may start an attempt of this run (READY, or IN_FLIGHT found after a restore). */
    boolean dispatchable() {
        return status == Status.READY || status == Status.IN_FLIGHT;
    }

    private SessionState moveTo(Status target, int nextAttempt, Status... allowedFrom) {
        for (Status from : allowedFrom) {
            if (status == from) {
                return new SessionState(config, runToken, target, chunks, maxSeq, endSeq, duplicates,
                        lastRecordTimestamp, lastTouchedWallMs, nextAttempt, runStartTimestamp, connections, crashLoop);
            }
        }
        throw illegal("move", target);
    }

    private IllegalStateException illegal(String what, Status target) {
        return new IllegalStateException("cannot " + what + " session run '" + runToken + "' from " + status + " to "
                + target);
    }

    // ---------------------------------------------------------------- assembly bookkeeping (status unchanged)

    SessionState withChunk(long seq, boolean end) {
        return new SessionState(config, runToken, status, chunks + 1, Math.max(maxSeq, seq), end ? seq : endSeq,
                duplicates, lastRecordTimestamp, lastTouchedWallMs, attempt, runStartTimestamp, connections, crashLoop);
    }

    SessionState withoutChunk() {
        return new SessionState(config, runToken, status, chunks - 1, maxSeq, endSeq, duplicates, lastRecordTimestamp,
                lastTouchedWallMs, attempt, runStartTimestamp, connections, crashLoop);
    }

    SessionState withMaxSeq(long value) {
        return new SessionState(config, runToken, status, chunks, value, endSeq, duplicates, lastRecordTimestamp,
                lastTouchedWallMs, attempt, runStartTimestamp, connections, crashLoop);
    }

    SessionState withDuplicate() {
        return new SessionState(config, runToken, status, chunks, maxSeq, endSeq, duplicates + 1, lastRecordTimestamp,
                lastTouchedWallMs, attempt, runStartTimestamp, connections, crashLoop);
    }

    SessionState touched(long recordTimestamp, long wallMs) {
        return new SessionState(config, runToken, status, chunks, maxSeq, endSeq, duplicates,
                Math.max(lastRecordTimestamp, recordTimestamp), wallMs, attempt,
                runStartTimestamp < 0 ? recordTimestamp : runStartTimestamp, connections, crashLoop);
    }
}
