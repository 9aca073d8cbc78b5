package dev.streamscribe.topology;

import dev.streamscribe.util.SessionLog;
import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.StartPolicy;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.event.InvalidSessionConfigException;
import dev.streamscribe.realtime.event.SessionSettings;
import dev.streamscribe.records.RunTokens;
import dev.streamscribe.topology.SessionState.Status;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Groups each session's config and audio chunks (docs/architecture.md section 4 rule 1). Audio is not copied: every chunk is
 * validated and its place recorded in {@code chunk-index} (claim check). Exact duplicates are dropped and counted;
 * the same seq with other bytes, a second end_of_session, a chunk beyond the end and malformed chunks or configs
 * become DeadLetters. A session is READY when its config is present, end_of_session has been seen and seqs
 * 0..end are all indexed, whatever the arrival order. Sessions that never complete expire: by stream time while
 * the partition has backlog, and by wall-clock time once the task has caught up, so replaying a backlog never
 * expires healthy sessions; expiry writes a SessionResult EXPIRED (NO_CONFIG, NO_END or GAP) and a DeadLetter.
 * A producer that gives a session up publishes an abort marker: the session ends at once, EXPIRED (ABORTED).
 * A run that already has a SessionResult (in {@code finished-runs}, bootstrapped before processing starts) is
 * never made READY again; a config with a new run token starts a new run of a finished session.
 *
 * <p>Threading: a Kafka Streams processor: one stream thread per task, no other thread touches it.
 */
public final class SessionAssembler implements Processor<String, SpecificRecord, String, SpecificRecord> {
    private static final Logger log = LoggerFactory.getLogger(SessionAssembler.class);
    /** Serializes a {@link #runKey} prefix for scans of {@code finished-runs} (its keys are UTF-8 strings). */
    private static final StringSerializer RUN_KEY_PREFIX = new StringSerializer();

    /**
     * What one session may hold, so that no session grows without bound (a producer that never sends the end, a
     * runaway recording). Past a limit the run fails with a SessionResult FAILED and a DeadLetter naming the limit
     * (LIMIT_CHUNKS, LIMIT_AUDIO, LIMIT_TURNS); chunks beyond the chunk limit are never indexed.
     *
     * @param maxChunks chunks indexed per session
     * @param maxAudio  audio per session run
     * @param maxTurns  turns per session run
     * @param maxAge    how long a run may take to become complete, from its first record (stream time): a session
     *                  trickled in under the idle timeout still ends (EXPIRED, LIMIT_AGE)
     * @param liveMaxAge the same for a live session (start AT_FIRST_TURN), which takes as long as its call
     */
    public record Limits(long maxChunks, Duration maxAudio, int maxTurns, Duration maxAge, Duration liveMaxAge) {
        public static final Limits DEFAULTS = new Limits(200_000, Duration.ofHours(8), 10_000, Duration.ofHours(24),
                Duration.ofHours(24));

        public Limits {
            if (maxChunks < 1 || maxTurns < 1 || maxAudio.isNegative() || maxAudio.isZero() || maxAge.isNegative()
                    || maxAge.isZero() || liveMaxAge.isNegative() || liveMaxAge.isZero()) {
                throw new IllegalArgumentException("session limits must be positive: " + maxChunks + " chunks, "
                        + maxAudio + ", " + maxTurns + " turns, " + maxAge + " of age (" + liveMaxAge + " live)");
            }
        }
    }

    private final AssemblerSettings settings;
    private final String deadLetterSink;
    private final String resultSink;
    private final String dispatcher;
    private final PipelineMetrics metrics;
    private ProcessorContext<String, SpecificRecord> context;
    private SessionStore sessions;
    private ChunkIndex chunks;
    private KeyValueStore<String, String> finishedRuns;
    private AssemblerOutputs outputs;
    private SessionExpiry expiry;
    private AbortMarkers aborts;
    private long lastRecordWallMs;

    /**
     * @param dispatcher the node told (with the run's config) when a run becomes READY
     */
    public SessionAssembler(AssemblerSettings settings, String deadLetterSink, String resultSink, String dispatcher,
                            PipelineMetrics metrics) {
        this.metrics = metrics;
        this.settings = settings;
        this.deadLetterSink = deadLetterSink;
        this.resultSink = resultSink;
        this.dispatcher = dispatcher;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.sessions = SessionStore.open(context, settings.timing());
        this.chunks = sessions.chunks();
        this.finishedRuns = context.getStateStore(StoreNames.FINISHED_RUNS);
        this.outputs = new AssemblerOutputs(context, resultSink, deadLetterSink, metrics);
        this.expiry = new SessionExpiry(settings, sessions, finishedRuns, outputs, metrics, context.taskId().partition());
        this.aborts = new AbortMarkers(sessions, outputs);
        this.lastRecordWallMs = context.currentSystemTimeMs();
        context.schedule(settings.checkEvery(), PunctuationType.STREAM_TIME, this::expireByStreamTime);
        context.schedule(settings.checkEvery(), PunctuationType.WALL_CLOCK_TIME, this::expireByWallClock);
        context.schedule(settings.checkEvery(), PunctuationType.WALL_CLOCK_TIME, expiry::purge);
    }

    /** Key in {@code finished-runs}: one entry per (session id, run token) that has a SessionResult. */
    public static String runKey(String sessionId, String runToken) {
        return sessionId + '\u0000' + runToken;
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        lastRecordWallMs = context.currentSystemTimeMs();
        if (record.value() == null) {
            return; // a tombstone on the compacted config topic: nothing to assemble
        }
        switch (record.value()) {
            case SessionConfig config -> onConfig(record, config);
            case AudioChunk chunk -> onChunk(record, chunk);
            default -> throw new IllegalArgumentException("SessionAssembler got a " + record.value().getClass().getName());
        }
    }

    // ---------------------------------------------------------------- configs

    private void onConfig(Record<String, SpecificRecord> record, SessionConfig config) {
        String sessionId = record.key();
        if (sessionId == null || !sessionId.equals(config.getSessionId())) {
            outputs.deadLetter(record, sessionId, "KEY_MISMATCH", "config for session '" + config.getSessionId()
                    + "' arrived under key '" + sessionId + "'");
            return;
        }
        if (config.getRunToken() == null || config.getRunToken().isBlank()) {
            outputs.deadLetter(record, sessionId, "CONFIG_INVALID", "config of session '" + sessionId + "' has no run token");
            return;
        }
        SessionState state = sessions.get(sessionId).orElseGet(SessionState::empty);
        byte[] encoded = SessionState.encode(config);
        String token = config.getRunToken();
        boolean sameRun = RunTokens.sameRun(token, config, state.runToken());
        if (sameRun && state.status().hasResult()) {
            // this run has its result (finished-runs may not know yet: it learns through the topic); a finished
            // run's state no longer holds its config, so a changed config under a finished token is not compared
            save(sessionId, state.touched(record.timestamp(), context.currentSystemTimeMs()));
            return;
        }
        if (state.hasConfig() && sameRun) {
            if (!Arrays.equals(state.config(), encoded) && !sameRequest(state.sessionConfig(), config)) {
                outputs.deadLetter(record, sessionId, "CONFIG_CHANGED_IN_FLIGHT", "run '" + token + "' of session '" + sessionId
                        + "' already has a different config; publish the change with a new run token");
            }
            save(sessionId, state.touched(record.timestamp(), context.currentSystemTimeMs()));
            return; // the same config again: nothing new
        }
        if (state.hasConfig() && !state.status().hasResult()) {
            outputs.deadLetter(record, sessionId, "CONFIG_CHANGED_IN_FLIGHT", "session '" + sessionId + "' is still running run '"
                    + state.runToken() + "' (" + state.status() + "); run '" + token + "' is refused until it has a result");
            return;
        }
        SessionState next = state.newRun(encoded, token).touched(record.timestamp(), context.currentSystemTimeMs());
        if (hasFinished(sessionId, token, config)) {
            // replay of a run that already has its SessionResult (under this token, or under the earlier token
            // function's token of the same request): never sent to the provider again
            save(sessionId, next.finished());
            return;
        }
        Optional<String> refused = refusal(config);
        if (refused.isPresent()) {
            outputs.deadLetter(record, sessionId, "CONFIG_INVALID", "config of session '" + sessionId + "' cannot be "
                    + "sent to " + (settings.providers().isEmpty() ? "a " + settings.dialect().id() + " provider"
                    : "any provider of this pipeline") + ": " + refused.get());
            outputs.result(record.timestamp(), sessionId, next, SessionStatus.FAILED, "CONFIG_INVALID", refused.get());
            save(sessionId, next.finished());
            return;
        }
        save(sessionId, next);
        checkComplete(sessionId, next, record.timestamp(), true);
    }

    /**
     * Whether this run of the session has its SessionResult, under {@code token} or an equivalent token. The
     * equivalents (a canonical text, a SHA-256 and a conversion to the release-1 schema) are computed only when some
     * run of this session has finished (here and in {@link RunTokens#sameRun}): for every ingested config they were
     * 8 % of the stream thread's samples in the bench's throughput phase (JFR).
     */
    private boolean hasFinished(String sessionId, String token, SessionConfig config) {
        if (finishedRuns.get(runKey(sessionId, token)) != null) {
            return true;
        }
        try (KeyValueIterator<String, String> runs = finishedRuns.prefixScan(runKey(sessionId, ""), RUN_KEY_PREFIX)) {
            if (!runs.hasNext()) {
                return false; // no run of this session has finished, under any token
            }
        }
        return RunTokens.equivalents(token, config).stream().anyMatch(run -> finishedRuns.get(runKey(sessionId, run)) != null);
    }

    /** Why no provider may serve {@code config}; empty when one can. */
    private Optional<String> refusal(SessionConfig config) {
        if (!settings.providers().isEmpty()) {
            return ProviderChoice.refusalByAll(config, settings.providers());
        }
        try {
            SessionSettings.from(config, settings.dialect());
            return Optional.empty();
        } catch (InvalidSessionConfigException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * Whether two configs of one run ask the provider the same: the creation time and the metadata only describe the
     * run, so publishing the same run again (ingesting a file twice, from another path) is not a change; nor is the
     * token, when both are tokens of the same request ({@link RunTokens#equivalents}).
     */
    static boolean sameRequest(Optional<SessionConfig> stored, SessionConfig incoming) {
        return stored.map(SessionAssembler::requestPart).map(requestPart(incoming)::equals).orElse(false);
    }

    private static SessionConfig requestPart(SessionConfig config) {
        return SessionConfig.newBuilder(config).setRunToken("").setCreatedAtMs(0).setMetadata(Map.of()).build();
    }

    // ---------------------------------------------------------------- chunks

    private void onChunk(Record<String, SpecificRecord> record, AudioChunk chunk) {
        String sessionId = record.key();
        Optional<ChunkRejection> problem = ChunkRejection.of(sessionId, chunk);
        if (problem.isPresent()) {
            outputs.deadLetter(record, sessionId, problem.get().reason(), problem.get().message());
            return;
        }
        if (chunk.getAbort() != null) {
            aborts.onAbort(record, sessionId, chunk.getAbort(), context.currentSystemTimeMs());
            return;
        }
        SessionState state = sessions.get(sessionId).orElseGet(SessionState::empty)
                .touched(record.timestamp(), context.currentSystemTimeMs());
        long seq = chunk.getSeq();
        RecordMetadata where = context.recordMetadata().orElseThrow();
        ChunkRef ref = new ChunkRef(seq, where.partition(), where.offset(), chunk.getAudio().remaining(),
                ChunkRef.digestOf(chunk.getAudio()), chunk.getTurnIndex(), chunk.getEndOfTurn() || chunk.getEndOfSession(),
                chunk.getEndOfSession());
        Optional<ChunkRef> existing = chunks.get(sessionId, seq);
        if (existing.isPresent()) {
            if (existing.get().holds(chunk.getAudio()) && existing.get().turnIndex() == ref.turnIndex()
                    && existing.get().endOfTurn() == ref.endOfTurn() && existing.get().endOfSession() == ref.endOfSession()) {
                // redelivery or re-ingest: absorbed and counted. The claim check moves to the newer copy of the same
                // bytes, which the audio topic keeps longer: a re-ingest renews a finished session's audio.
                if (ref.offset() > existing.get().offset()) {
                    chunks.put(sessionId, ref);
                }
                save(sessionId, state.withDuplicate());
                metrics.duplicateChunk();
            } else {
                save(sessionId, state);
                outputs.deadLetter(record, sessionId, "CONFLICTING_DUPLICATE", "seq " + seq + " of session '" + sessionId
                        + "' arrived again with different content; the first (" + existing.get().partition() + "@"
                        + existing.get().offset() + ") is kept");
            }
            return;
        }
        if (state.endSeq() >= 0 && chunk.getEndOfSession()) {
            save(sessionId, state);
            outputs.deadLetter(record, sessionId, "SECOND_END_OF_SESSION", "session '" + sessionId + "' already ends at seq "
                    + state.endSeq() + "; seq " + seq + " claims end_of_session too");
            return;
        }
        if (state.endSeq() >= 0 && seq > state.endSeq()) {
            save(sessionId, state);
            outputs.deadLetter(record, sessionId, "CHUNK_AFTER_END", "seq " + seq + " lies beyond the end of session '" + sessionId
                    + "' (seq " + state.endSeq() + ")");
            return;
        }
        if (state.chunks() >= settings.limits().maxChunks()) {
            refuseBeyondChunkLimit(record, sessionId, state, seq);
            return;
        }
        chunks.put(sessionId, ref);
        SessionState next = state.withChunk(seq, chunk.getEndOfSession());
        if (chunk.getEndOfSession() && next.maxSeq() > seq) {
            next = dropChunksBeyondEnd(record, sessionId, next, seq);
        }
        save(sessionId, next);
        // a live run can gain a complete turn only from a chunk that ends a turn or fills a gap: only then is its
        // config read (once per turn, not per chunk)
        boolean mayCompleteATurn = chunk.getEndOfTurn() || chunk.getEndOfSession() || seq < state.maxSeq();
        checkComplete(sessionId, next, record.timestamp(), mayCompleteATurn);
    }

    /** The session already holds as many chunks as it may: this one is not indexed, and the run fails (once). */
    private void refuseBeyondChunkLimit(Record<String, SpecificRecord> record, String sessionId, SessionState state, long seq) {
        String message = "session '" + sessionId + "' already has " + state.chunks() + " chunks, the limit "
                + "(session.max-chunks); seq " + seq + " is not indexed";
        outputs.deadLetter(record, sessionId, "LIMIT_CHUNKS", message);
        if (state.status() == Status.ASSEMBLING) {
            outputs.result(record.timestamp(), sessionId, state, SessionStatus.FAILED, "LIMIT_CHUNKS", message);
            save(sessionId, state.finished());
        } else {
            save(sessionId, state);
        }
    }

    /** An end_of_session arrived after chunks with higher seqs: those lie beyond the end and are rejected. */
    private SessionState dropChunksBeyondEnd(Record<String, SpecificRecord> record, String sessionId, SessionState state, long endSeq) {
        long dropped = chunks.read(sessionId, refs -> {
            long count = 0;
            while (refs.hasNext()) {
                ChunkRef ref = refs.next();
                if (ref.seq() > endSeq) {
                    chunks.delete(sessionId, ref.seq());
                    count++;
                    outputs.deadLetterAt(record.timestamp(), sessionId, record.key(), "CHUNK_AFTER_END", "seq " + ref.seq()
                            + " lies beyond the end of session '" + sessionId + "' (seq " + endSeq + ")",
                            context.recordMetadata().map(where -> DeadLetters.Source.of(where.topic(), ref.partition(),
                                    ref.offset())).orElse(DeadLetters.Source.NONE));
                }
            }
            return count;
        });
        SessionState next = state;
        for (long i = 0; i < dropped; i++) {
            next = next.withoutChunk();
        }
        return next.withMaxSeq(endSeq);
    }

    // ---------------------------------------------------------------- readiness and expiry

    /**
     * @param mayCompleteATurn the input may have completed a turn of a live run (start AT_FIRST_TURN): a config, a
     *                         chunk that ends a turn, or one that fills a gap
     */
    private void checkComplete(String sessionId, SessionState state, long timestamp, boolean mayCompleteATurn) {
        if (state.status() == Status.IN_FLIGHT && mayCompleteATurn && state.hasConfig()) {
            SessionConfig config = state.sessionConfig().orElseThrow();
            if (config.getStart() == StartPolicy.AT_FIRST_TURN) {
                // a live run at the provider: its open connection takes the turn (the dispatcher decides)
                context.forward(new Record<>(sessionId, config, timestamp), dispatcher);
            }
            return;
        }
        if (state.status() != Status.ASSEMBLING || !state.hasConfig()) {
            return;
        }
        if (!mayCompleteATurn && !state.complete()) {
            return; // nothing new for a live run, and a batch run is not complete: no need to read the config
        }
        SessionConfig config = state.sessionConfig().orElseThrow();
        if (config.getStart() == StartPolicy.AT_FIRST_TURN) {
            checkLiveTurns(sessionId, state, config, timestamp);
            return;
        }
        if (!state.complete()) {
            return;
        }
        switch (withinLimits(sessionId, chunks.read(sessionId, refs -> TurnPlanner.plan(config, refs)))) {
            case TurnPlanner.Plan.Turns turns -> {
                save(sessionId, state.ready());
                context.forward(new Record<>(sessionId, config, timestamp), dispatcher);
                SessionLog.debug(log, sessionId, state.runToken(), "session {} run {} READY: {} turns, {} ms", sessionId,
                        state.runToken(), turns.turns().size(),
                        turns.audioMs());
            }
            case TurnPlanner.Plan.Rejected rejected -> failRun(timestamp, sessionId, state, rejected.reason(),
                    rejected.message());
        }
    }

    /**
     * A live run (start AT_FIRST_TURN) goes to the provider as soon as it has a complete turn, and again whenever a
     * turn without a result becomes complete while it waits (docs/architecture.md section 4, "Live sessions"): its
     * first time READY (the first attempt); later, having had a connection, straight back IN_FLIGHT for a new
     * connection without spending an attempt. Its end arriving while it waits sends it too, so the connection that
     * finds nothing left to send writes its SessionResult.
     */
    private void checkLiveTurns(String sessionId, SessionState state, SessionConfig config, long timestamp) {
        switch (withinLimits(sessionId, chunks.read(sessionId, refs -> TurnPlanner.prefix(config, refs)))) {
            case TurnPlanner.Plan.Rejected rejected -> failRun(timestamp, sessionId, state, rejected.reason(),
                    rejected.message());
            case TurnPlanner.Plan.Turns turns when turns.turns().isEmpty() -> {
                // no complete turn yet
            }
            case TurnPlanner.Plan.Turns turns -> {
                if (state.connections() == 0) {
                    save(sessionId, state.ready());
                } else if (turns.ended() || TurnResults.anyUnfinished(turns.turns(),
                        sessions.turnResults().ofRun(sessionId, state.runToken()))) {
                    save(sessionId, state.liveTurnsDue());
                } else {
                    return; // every complete turn has its result: wait for the next
                }
                context.forward(new Record<>(sessionId, config, timestamp), dispatcher);
                SessionLog.debug(log, sessionId, state.runToken(), "live session {} run {}: {} complete turn(s){}",
                        sessionId, state.runToken(), turns.turns().size(), turns.ended() ? ", ended" : "");
            }
        }
    }

    /** {@code plan}, or a rejection when its turns or audio exceed the per-session limits (LIMIT_TURNS, LIMIT_AUDIO). */
    private TurnPlanner.Plan withinLimits(String sessionId, TurnPlanner.Plan plan) {
        if (plan instanceof TurnPlanner.Plan.Turns turns && turns.turns().size() > settings.limits().maxTurns()) {
            return new TurnPlanner.Plan.Rejected("LIMIT_TURNS", "session '" + sessionId + "' has " + turns.turns().size()
                    + " turns; the limit is " + settings.limits().maxTurns() + " (session.max-turns)");
        }
        if (plan instanceof TurnPlanner.Plan.Turns turns && turns.audioMs() > settings.limits().maxAudio().toMillis()) {
            return new TurnPlanner.Plan.Rejected("LIMIT_AUDIO", "session '" + sessionId + "' has " + turns.audioMs()
                    + " ms of audio; the limit is " + settings.limits().maxAudio().toMillis() + " ms (session.max-audio-ms)");
        }
        return plan;
    }

    /** The run cannot be sent: a DeadLetter and a SessionResult FAILED with the reason, and no attempt. */
    private void failRun(long timestamp, String sessionId, SessionState state, String reason, String message) {
        outputs.deadLetterAt(timestamp, sessionId, sessionId, reason, message, DeadLetters.Source.NONE);
        outputs.result(timestamp, sessionId, state, SessionStatus.FAILED, reason, message);
        save(sessionId, state.finished());
    }

    private void expireByStreamTime(long streamTime) {
        expiry.expireDue(SessionSchedule.Kind.STREAM_EXPIRY, streamTime, sessions::streamExpiry, streamTime);
    }

    private void expireByWallClock(long now) {
        if (now - lastRecordWallMs < settings.caughtUpAfter().toMillis()) {
            return; // still working through a backlog: only stream time may expire sessions
        }
        expiry.expireDue(SessionSchedule.Kind.WALL_EXPIRY, now, sessions::wallExpiry, context.currentStreamTimeMs());
    }

    // ---------------------------------------------------------------- outputs

    private void save(String sessionId, SessionState state) {
        sessions.put(sessionId, state);
    }
}
