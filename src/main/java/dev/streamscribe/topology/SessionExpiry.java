package dev.streamscribe.topology;

import dev.streamscribe.util.SessionLog;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.topology.SessionState.Status;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * The assembler's scheduled work: sessions that never complete expire (idle, or past the age limit) and finished
 * sessions are purged once their audio has left the audio topic. Both read only the {@link SessionSchedule}'s due
 * entries, at most {@link #MAX_PER_PASS} per pass, never every session (docs/architecture.md section 4, "Work that
 * follows what is due").
 *
 * <p>Threading: the task's stream thread only (called from the assembler's punctuations).
 */
final class SessionExpiry {
    /** Scheduled entries handled per punctuation at most: a pass stays short, the rest come next time. */
    static final int MAX_PER_PASS = 10_000;
    private static final Logger log = LoggerFactory.getLogger(SessionExpiry.class);

    private final AssemblerSettings settings;
    private final SessionStore sessions;
    private final SessionSchedule schedule;
    private final ChunkIndex chunks;
    private final KeyValueStore<String, String> finishedRuns;
    private final AssemblerOutputs outputs;
    private final PipelineMetrics metrics;
    private final int taskPartition;

    SessionExpiry(AssemblerSettings settings, SessionStore sessions, KeyValueStore<String, String> finishedRuns,
                  AssemblerOutputs outputs, PipelineMetrics metrics, int taskPartition) {
        this.taskPartition = taskPartition;
        this.settings = settings;
        this.sessions = sessions;
        this.schedule = sessions.schedule();
        this.chunks = sessions.chunks();
        this.finishedRuns = finishedRuns;
        this.outputs = outputs;
        this.metrics = metrics;
    }

    /**
     * Expires the sessions whose {@code kind} deadline has passed: reads only the schedule's due entries (bounded per
     * pass), never every session. An entry whose session has moved on is dropped; one whose session had input since
     * moves to its real deadline.
     */
    void expireDue(SessionSchedule.Kind kind, long now, ToLongFunction<SessionState> deadline, long timestamp) {
        for (SessionSchedule.Entry entry : schedule.due(kind, now, MAX_PER_PASS)) {
            schedule.remove(entry);
            Optional<SessionState> state = sessions.get(entry.sessionId());
            if (state.isEmpty() || state.get().status() != Status.ASSEMBLING) {
                continue;
            }
            long due = deadline.applyAsLong(state.get());
            if (due > now) {
                schedule.add(kind, due, entry.sessionId());
            } else {
                boolean idle = kind == SessionSchedule.Kind.WALL_EXPIRY
                        || now - state.get().lastRecordTimestamp() >= settings.idleTimeout().toMillis();
                expire(entry.sessionId(), state.get(), timestamp, idle);
            }
        }
    }

    /**
     * @param idle whether the session is idle (else it is past the age limit while input still arrives)
     */
    private void expire(String sessionId, SessionState state, long timestamp, boolean idle) {
        if (!idle) {
            boolean live = state.sessionConfig().map(SessionDispatcher::isLive).orElse(false);
            String message = "session '" + sessionId + "' run '" + state.runToken() + "' is still incomplete "
                    + (timestamp - state.runStartTimestamp()) / 1000 + " s after its first record; the limit is "
                    + sessions.timing().maxAgeOf(state).toSeconds() + " s ("
                    + (live ? "session.live-max-age-ms, a live session" : "session.max-age-ms") + "); " + state.chunks()
                    + " chunks indexed" + (state.hasConfig() ? "" : ", no config");
            outputs.deadLetterAt(timestamp, sessionId, sessionId, "LIMIT_AGE", message, DeadLetters.Source.NONE);
            outputs.result(timestamp, sessionId, state, SessionStatus.EXPIRED, "LIMIT_AGE", message);
            sessions.put(sessionId, state.expired());
            return;
        }
        boolean ranBefore = ranBefore(sessionId);
        if (!state.hasConfig() && ranBefore) {
            // chunks of a session that already has its result, with no new run: the result stands, the copies go
            outputs.deadLetterAt(timestamp, sessionId, sessionId, "NO_CONFIG", "chunks of session '" + sessionId + "' arrived "
                    + "with no new run within " + settings.idleTimeout().toSeconds() + " s; the session's earlier "
                    + "result stands (" + state.chunks() + " chunks not kept)", DeadLetters.Source.NONE);
            sessions.delete(sessionId);
            return;
        }
        String reason = !state.hasConfig() ? "NO_CONFIG"
                : state.chunks() == 0 && ranBefore ? "AUDIO_EXPIRED"
                : state.endSeq() < 0 ? "NO_END" : "GAP";
        String message = switch (reason) {
            case "NO_CONFIG" -> "no config arrived for session '" + sessionId + "' within "
                    + settings.idleTimeout().toSeconds() + " s of its last input (" + state.chunks() + " chunks indexed)"
                    + PartitionHint.describe(sessionId, "config", taskPartition, settings.inputPartitions());
            case "AUDIO_EXPIRED" -> "session '" + sessionId + "' ran before and its audio has since left the audio "
                    + "topic (retention); ingest the recording again to run it";
            case "NO_END" -> state.chunks() == 0
                    ? "session '" + sessionId + "' has its config but no chunk arrived within "
                    + settings.idleTimeout().toSeconds() + " s" + PartitionHint.describe(sessionId, "chunks",
                    taskPartition, settings.inputPartitions())
                    : "session '" + sessionId + "' never received end_of_session (" + state.chunks()
                    + " chunks, highest seq " + state.maxSeq() + ")" + (state.connections() == 0 ? ""
                    : "; its " + sessions.turnResults().ofRun(sessionId, state.runToken()).size()
                    + " turn(s) with a result stand (a live run)");
            default -> "session '" + sessionId + "' has " + state.chunks() + " of " + (state.endSeq() + 1)
                    + " chunks; missing seqs: " + missingSeqs(sessionId, state.endSeq());
        };
        outputs.deadLetterAt(timestamp, sessionId, sessionId, reason, message, DeadLetters.Source.NONE);
        outputs.result(timestamp, sessionId, state, SessionStatus.EXPIRED, reason, message);
        sessions.put(sessionId, state.expired());
    }

    /** Whether any run of the session has a result, in this or an earlier life of its state. */
    private boolean ranBefore(String sessionId) {
        try (KeyValueIterator<String, String> runs = finishedRuns.prefixScan(SessionAssembler.runKey(sessionId, ""), new StringSerializer())) {
            return runs.hasNext();
        }
    }

    /**
     * Forgets sessions that have their result and whose audio has left the audio topic: their chunk index points at
     * nothing, so keeping them only grows the store. A later run of such a session needs its audio again (a
     * re-ingest); {@code finished-runs} still says which runs were paid for.
     */
    void purge(long now) {
        for (SessionSchedule.Entry entry : schedule.due(SessionSchedule.Kind.PURGE, now, MAX_PER_PASS)) {
            schedule.remove(entry);
            Optional<SessionState> state = sessions.get(entry.sessionId());
            if (state.isEmpty() || !state.get().status().hasResult()) {
                continue; // gone, or running again: scheduled anew when it has its result
            }
            Optional<Long> due = sessions.purgeAt(state.get());
            if (due.isEmpty()) {
                continue; // retention became infinite
            }
            if (due.get() > now) {
                schedule.add(SessionSchedule.Kind.PURGE, due.get(), entry.sessionId());
            } else {
                sessions.delete(entry.sessionId());
                metrics.sessionPurged();
                SessionLog.debug(log, entry.sessionId(), null, "session {} purged: its audio has left the topic",
                        entry.sessionId());
            }
        }
    }

    private String missingSeqs(String sessionId, long endSeq) {
        List<Long> missing = new ArrayList<>();
        long next = chunks.read(sessionId, refs -> {
            long expected = 0;
            while (refs.hasNext() && missing.size() < 20) {
                ChunkRef ref = refs.next();
                for (; expected < ref.seq() && missing.size() < 20; expected++) {
                    missing.add(expected);
                }
                expected = ref.seq() + 1;
            }
            return expected;
        });
        for (long expected = next; expected <= endSeq && missing.size() < 20; expected++) {
            missing.add(expected);
        }
        return missing + (missing.size() == 20 ? " and more" : "");
    }
}
