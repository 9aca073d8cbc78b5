package dev.streamscribe.topology;

import dev.streamscribe.topology.SessionSchedule.Kind;
import dev.streamscribe.topology.SessionState.Status;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;

/**
 * One task's sessions: the {@code session-state} store, its {@link SessionSchedule}, the {@link ChunkIndex} and the
 * {@link TurnResults}, kept in step by the one method that writes a state ({@link #put}). Every status change schedules what the new status
 * needs: expiry while ASSEMBLING, dispatch while READY or IN_FLIGHT, the purge once the run has its result.
 *
 * <p>A store written by a build without the schedule (an upgrade) gets its schedule from one full scan when the
 * task first opens it; the schedule's changelog then carries it, so the scan happens once per store.
 *
 * <p>Threading: one task's stream thread (the assembler, dispatcher and drain of a task share it).
 */
final class SessionStore {
    private static final Logger log = LoggerFactory.getLogger(SessionStore.class);

    /**
     * When scheduled work falls due.
     *
     * @param idleTimeout        an ASSEMBLING session with no new input for this long expires
     * @param maxAge             an ASSEMBLING run expires this long after its first record, input or not
     * @param liveMaxAge         the same for a live run (start AT_FIRST_TURN)
     * @param finishedRetention  a session with its result keeps its state and chunk index this long after its last
     *                           input (the audio topic's retention: after it the index points at nothing); empty =
     *                           kept for good
     */
    record Timing(Duration idleTimeout, Duration maxAge, Duration liveMaxAge, Optional<Duration> finishedRetention) {
        /**
         * The age limit of {@code state}'s run: a live run's when its config says start AT_FIRST_TURN. Decodes the
         * config, which is fine where it is called: on a status change and when an expiry entry falls due, not per
         * chunk.
         */
        Duration maxAgeOf(SessionState state) {
            boolean live = state.sessionConfig().map(SessionDispatcher::isLive).orElse(false);
            return live ? liveMaxAge : maxAge;
        }
    }

    private final KeyValueStore<String, SessionState> states;
    private final SessionSchedule schedule;
    private final ChunkIndex chunks;
    private final TurnResults turnResults;
    private final Timing timing;

    private SessionStore(KeyValueStore<String, SessionState> states, SessionSchedule schedule, ChunkIndex chunks,
                         TurnResults turnResults, Timing timing) {
        this.states = states;
        this.schedule = schedule;
        this.chunks = chunks;
        this.turnResults = turnResults;
        this.timing = timing;
    }

    /** The task's stores, with the schedule built first if an older build wrote them. */
    static SessionStore open(ProcessorContext<?, ?> context, Timing timing) {
        KeyValueStore<Bytes, byte[]> scheduleStore = context.getStateStore(StoreNames.SESSION_SCHEDULE);
        KeyValueStore<Bytes, byte[]> index = context.getStateStore(StoreNames.CHUNK_INDEX);
        KeyValueStore<Bytes, byte[]> turns = context.getStateStore(StoreNames.TURN_RESULTS);
        SessionStore store = new SessionStore(context.getStateStore(StoreNames.SESSION_STATE),
                new SessionSchedule(scheduleStore), new ChunkIndex(index), new TurnResults(turns), timing);
        store.buildScheduleIfMissing(context);
        return store;
    }

    ChunkIndex chunks() {
        return chunks;
    }

    SessionSchedule schedule() {
        return schedule;
    }

    TurnResults turnResults() {
        return turnResults;
    }

    Timing timing() {
        return timing;
    }

    Optional<SessionState> get(String sessionId) {
        return Optional.ofNullable(states.get(sessionId));
    }

    /** Stores {@code next} and schedules what its status needs that the previous status did not. */
    void put(String sessionId, SessionState next) {
        Optional<Status> previous = get(sessionId).map(SessionState::status);
        states.put(sessionId, next);
        if (previous.isPresent() && previous.get() == next.status()) {
            return; // same status: its entries are in place (expiry entries move lazily, see SessionSchedule)
        }
        boolean wasDispatchable = previous.map(SessionStore::dispatchable).orElse(false);
        if (wasDispatchable && dispatchable(next.status())) {
            return; // READY <-> IN_FLIGHT: its dispatch entry is in place (writing it again cost a changelog record)
        }
        if (wasDispatchable) {
            schedule.remove(new SessionSchedule.Entry(Kind.DISPATCH, 0, sessionId));
        }
        schedule(sessionId, next);
    }

    /** Forgets the session: its state, chunk index, turn results and dispatch entry (other entries go when read). */
    void delete(String sessionId) {
        states.delete(sessionId);
        chunks.deleteAll(sessionId);
        turnResults.deleteSession(sessionId);
        schedule.remove(new SessionSchedule.Entry(Kind.DISPATCH, 0, sessionId));
    }

    /** When an ASSEMBLING session expires by stream time: idle, or past the age limit, whichever comes first. */
    long streamExpiry(SessionState state) {
        long idle = state.lastRecordTimestamp() + timing.idleTimeout().toMillis();
        return state.runStartTimestamp() < 0 ? idle
                : Math.min(idle, state.runStartTimestamp() + timing.maxAgeOf(state).toMillis());
    }

    /** When an ASSEMBLING session expires by the wall clock. */
    long wallExpiry(SessionState state) {
        return state.lastTouchedWallMs() + timing.idleTimeout().toMillis();
    }

    /** When a session with its result may be forgotten, if ever. */
    Optional<Long> purgeAt(SessionState state) {
        return timing.finishedRetention().map(retention -> state.lastRecordTimestamp() + retention.toMillis());
    }

    private void schedule(String sessionId, SessionState state) {
        switch (state.status()) {
            case ASSEMBLING -> {
                schedule.add(Kind.STREAM_EXPIRY, streamExpiry(state), sessionId);
                schedule.add(Kind.WALL_EXPIRY, wallExpiry(state), sessionId);
            }
            case READY, IN_FLIGHT -> schedule.add(Kind.DISPATCH, 0, sessionId);
            case FINISHED, EXPIRED -> purgeAt(state).ifPresent(at -> schedule.add(Kind.PURGE, at, sessionId));
        }
    }

    private static boolean dispatchable(Status status) {
        return status == Status.READY || status == Status.IN_FLIGHT;
    }

    private void buildScheduleIfMissing(ProcessorContext<?, ?> context) {
        if (schedule.built()) {
            return;
        }
        long sessions = 0;
        try (KeyValueIterator<String, SessionState> all = states.all()) {
            while (all.hasNext()) {
                var entry = all.next();
                schedule(entry.key, entry.value);
                sessions++;
            }
        }
        schedule.markBuilt();
        if (sessions > 0) {
            log.info("task {}: built the session schedule from {} sessions written by an earlier version (once)",
                    context.taskId(), sessions);
        }
    }
}
