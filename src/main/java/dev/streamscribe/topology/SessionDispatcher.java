package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.StartPolicy;
import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.realtime.driver.Classification;
import dev.streamscribe.realtime.driver.ContextTurn;
import dev.streamscribe.realtime.driver.FailureClass;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.driver.TurnListener;
import dev.streamscribe.realtime.driver.TurnSpec;
import dev.streamscribe.util.SessionLog;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Admits READY sessions to the provider through the JVM's {@link AdmissionGate}; the rest wait in the store and
 * input is never blocked (docs/architecture.md section 4 rule 2). Admission marks the session IN_FLIGHT with a new
 * connection number (the next attempt, when it was READY); the {@link SessionLauncher} starts it with its turns and
 * chunk index once the stream thread has committed since the mark ({@link CommitWatch}), so the mark is on record.
 * The stream thread never waits on the network: the outcome is queued in the task's {@link TaskQueues} for the CompletionDrain. Sessions
 * found IN_FLIGHT when the task starts (restored after a crash, a rebalance or a stop that ran out of drain time) go
 * out again on a new connection without spending an attempt (provider calls are at-least-once); they are found
 * through the {@link SessionSchedule}, not by reading every session. One whose connections ended with no outcome
 * {@code realtime.max-dispatches} times in a row fails CRASH_LOOP instead. Closing the task (revocation) cancels
 * its open sessions.
 *
 * <p>Threading: process, punctuate and close run on the task's stream thread; the outcome callback (any thread)
 * only queues the outcome, releases the slot and forgets an open live run (a concurrent map).
 */
public final class SessionDispatcher implements Processor<String, SessionConfig, Void, Void> {
    private static final Logger log = LoggerFactory.getLogger(SessionDispatcher.class);

    private final DispatchServices services;
    private final Duration checkEvery;
    private ProcessorContext<Void, Void> context;
    private Cadence cadence;
    private final SessionStore.Timing timing;
    private SessionStore sessions;
    private ChunkIndex chunks;
    private TaskQueues queues;
    private CommitWatch commits;
    private final List<Marked> marked = new ArrayList<>();
    /** Live runs whose connection is open in this task, by session id: they take the turns that complete meanwhile. */
    private final Map<String, OpenLiveRun> liveRuns = new ConcurrentHashMap<>();
    /**
     * Sessions of this task that asked for a live place (holding one or queued), with the run that asked: given back
     * when that run ends.
     */
    private final Map<String, String> livePlacesHere = new HashMap<>();
    private long placesCheckedAtMs;
    private static final long PLACES_CHECK_EVERY_MS = 1_000;

    /**
     * A live run's open connection: its run and connection, how to give it turns, and the last turn it has.
     *
     * <p>Threading: created and read on the stream thread; removed by the outcome callback (any thread).
     */
    private static final class OpenLiveRun {
        private final String runToken;
        private final int connection;
        private final SessionLauncher.MoreTurns more;
        private int lastTurn;

        private OpenLiveRun(String runToken, int connection, SessionLauncher.MoreTurns more, int lastTurn) {
            this.runToken = runToken;
            this.connection = connection;
            this.more = more;
            this.lastTurn = lastTurn;
        }
    }

    public SessionDispatcher(DispatchServices services, Duration checkEvery, SessionStore.Timing timing) {
        this.services = services;
        this.checkEvery = checkEvery;
        this.timing = timing;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.sessions = SessionStore.open(context, timing);
        this.chunks = sessions.chunks();
        this.queues = services.queues().forTask(context.taskId());
        this.commits = CommitWatch.of(context, Long.parseLong(String.valueOf(context.appConfigs().getOrDefault(
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100))));
        long now = context.currentSystemTimeMs();
        // READY and IN_FLIGHT sessions only, from the schedule: start-up reads what waits, not every session known
        for (SessionSchedule.Entry entry : sessions.schedule().due(SessionSchedule.Kind.DISPATCH, 0, Integer.MAX_VALUE)) {
            boolean live = sessions.get(entry.sessionId()).flatMap(SessionState::sessionConfig)
                    .map(SessionDispatcher::isLive).orElse(false);
            queues.enqueue(entry.sessionId(), now, live);
        }
        cadence = Cadence.start(context, checkEvery, TranscribeTopology.QUIET_EVERY, TranscribeTopology.QUIET_AFTER,
                this::tick);
    }

    /** The punctuation: admit what is due, then slow down when this task has had nothing to do for a while. */
    private void tick(long now) {
        admit(now);
        cadence.ran(now, marked.isEmpty() && livePlacesHere.isEmpty() && liveRuns.isEmpty() && queues.nothingToWrite()
                && queues.nothingWaiting());
    }

    /**
     * The assembler forwards a run's config the moment the run becomes READY, and a live run's whenever one of its
     * turns completes: a live run with a connection open here takes the new turns on it.
     */
    @Override
    public void process(Record<String, SessionConfig> record) {
        OpenLiveRun live = liveRuns.get(record.key());
        if (live != null && offerTurns(record.key(), live)) {
            return;
        }
        queues.enqueue(record.key(), context.currentSystemTimeMs(), isLive(record.value()));
        cadence.wake();
        admit(context.currentSystemTimeMs());
    }

    /**
     * Gives an open live run the turns that completed after the last one it has (and whether the session has ended).
     *
     * @return false when the run cannot take them (it ended, or it is not the session's current connection): the
     *         drain sends them on the next connection when the run's outcome comes
     */
    private boolean offerTurns(String sessionId, OpenLiveRun live) {
        SessionState state = sessions.get(sessionId).orElse(null);
        if (state == null || state.status() != SessionState.Status.IN_FLIGHT || !state.runToken().equals(live.runToken)
                || state.connections() != live.connection) {
            return false;
        }
        List<ChunkRef> refs = chunks.snapshot(sessionId);
        TurnPlanner.Plan.Turns plan = planOf(state.sessionConfig().orElseThrow(), refs);
        List<TurnSpec> more = plan.turns().stream().filter(turn -> turn.turnIndex() > live.lastTurn).toList();
        if (more.isEmpty() && !plan.ended()) {
            return true; // nothing new (a duplicate, or a chunk that did not complete a turn)
        }
        Set<Integer> indexes = new HashSet<>();
        more.forEach(turn -> indexes.add(turn.turnIndex()));
        List<ChunkRef> moreRefs = refs.stream().filter(ref -> indexes.contains(ref.turnIndex())
                && ref.seq() <= plan.lastSeq()).toList();
        if (!live.more.offer(more, moreRefs, plan.ended())) {
            return false;
        }
        if (!more.isEmpty()) {
            live.lastTurn = more.getLast().turnIndex();
        }
        SessionLog.debug(log, sessionId, state.runToken(), "live session {} connection {}: {} more turn(s){}", sessionId,
                live.connection, more.size(), plan.ended() ? ", and its end" : "");
        return true;
    }

    /**
     * A session marked IN_FLIGHT on a new connection, waiting for that mark to be committed before it connects; {@code
     * commitPosition} is where the {@link CommitWatch} stood at the mark.
     */
    private record Marked(String sessionId, long commitPosition, AdmissionGate.Slot slot) {
    }

    private void admit(long now) {
        launchCommittedMarks(now);
        if (now - placesCheckedAtMs >= PLACES_CHECK_EVERY_MS) {
            givePlacesBackOfEndedRuns();
            placesCheckedAtMs = now;
        }
        boolean markedAny = false;
        for (Optional<TaskQueues.Waiting> next = queues.peekDue(now); next.isPresent(); next = queues.peekDue(now)) {
            TaskQueues.Waiting due = next.get();
            String sessionId = due.sessionId();
            Optional<SessionState> state = sessions.get(sessionId);
            if (state.isEmpty() || !state.get().dispatchable() || queues.isInFlight(sessionId) || isMarked(sessionId)) {
                queues.take(due); // ended, or already going out: nothing to admit
                services.gate().livePlaces().stopsWaiting(sessionId);
                continue;
            }
            SessionState current = state.get();
            AdmissionGate.Claim claim = due.live() && takePlace(sessionId, current.runToken())
                    ? AdmissionGate.Claim.LIVE : AdmissionGate.Claim.BATCH;
            Optional<AdmissionGate.Slot> slot = services.gate().tryAcquire(now, claim, services.routes().several()
                    ? services.routes().eligibleFor(current.sessionConfig().orElseThrow()) : provider -> true);
            if (slot.isEmpty()) {
                if (claim == AdmissionGate.Claim.LIVE) {
                    services.gate().livePlaces().waitsForSlot(sessionId); // the next slot that frees is kept for it
                }
                break; // JVM-wide limit reached, the rest kept for live sessions, or paused: the rest wait in the store
            }
            services.gate().livePlaces().stopsWaiting(sessionId);
            queues.take(due);
            if (current.status() == SessionState.Status.IN_FLIGHT
                    && current.crashLoop() >= services.retry().maxDispatches()) {
                failCrashLoop(sessionId, current, now);
                slot.get().release();
                continue;
            }
            // mark first: the new connection number is committed before the provider is called (launch below)
            sessions.put(sessionId, current.status() == SessionState.Status.READY ? current.admitted()
                    : current.redispatched());
            marked.add(new Marked(sessionId, commits.position(now), slot.get()));
            markedAny = true;
        }
        if (markedAny && commits.needsRequest(now)) {
            context.commit();
        }
    }

    /** Whether the live run {@code runToken} of {@code sessionId} has a place (docs/architecture.md, "Live sessions"). */
    private boolean takePlace(String sessionId, String runToken) {
        livePlacesHere.put(sessionId, runToken);
        return services.gate().livePlaces().take(sessionId, runToken);
    }

    /**
     * Gives back the places (and turns in the live queue) of this task's live sessions whose runs ended: with their
     * result, expired, aborted by their producer, or replaced by a new run (which asks again at its own dispatch).
     * Reads only the sessions of this task that asked for a place (live sessions still going), one state entry each
     * and no config decoded, once a second: a place is freed at most a second after its run ends.
     */
    private void givePlacesBackOfEndedRuns() {
        for (Iterator<Map.Entry<String, String>> it = livePlacesHere.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, String> asked = it.next();
            Optional<SessionState> state = sessions.get(asked.getKey());
            boolean going = state.isPresent() && !state.get().status().hasResult()
                    && state.get().runToken().equals(asked.getValue());
            if (!going) {
                services.gate().livePlaces().leave(asked.getKey());
                it.remove();
            }
        }
    }

    /** A live session: its turns are dispatched as they complete, ahead of batch sessions. */
    static boolean isLive(SessionConfig config) {
        return config.getStart() == StartPolicy.AT_FIRST_TURN;
    }

    private boolean isMarked(String sessionId) {
        return marked.stream().anyMatch(m -> m.sessionId().equals(sessionId));
    }

    /**
     * Connects the sessions whose marks the stream thread has committed since ({@link CommitWatch}: Kafka Streams
     * commits a task that has changes at least once per commit interval, and {@link #admit} asks for a commit only
     * when the thread has not been committing); had that commit failed, the task would have been closed, and
     * {@link #close} drops marks that never connected. So the provider is called only once the session's new
     * connection number is on record, and a JVM that dies on a session cannot hide that the session got that far
     * (the crash-loop count). The one window left: a commit that timed out and is being retried within
     * {@code task.timeout.ms} while the task stays open.
     */
    private void launchCommittedMarks(long now) {
        for (Iterator<Marked> it = marked.iterator(); it.hasNext(); ) {
            Marked mark = it.next();
            if (commits.committedSince(mark.commitPosition(), now)) {
                it.remove();
                Optional<SessionState> state = sessions.get(mark.sessionId());
                if (state.isEmpty() || state.get().status() != SessionState.Status.IN_FLIGHT) {
                    // the run ended while its mark was being committed (a live run its producer aborted): nothing to
                    // connect
                    mark.slot().release();
                    continue;
                }
                launch(mark.sessionId(), state.get(), now, mark.slot());
            }
        }
    }

    /**
     * The session went to the provider {@code realtime.max-dispatches} times in a row and no connection ended with an
     * outcome (the JVM died, or the task moved, each time): it fails CRASH_LOOP instead of being paid for forever.
     * Written by the drain like any outcome, so the result, the dead letter and the state change commit together.
     */
    private void failCrashLoop(String sessionId, SessionState state, long now) {
        SessionConfig config = state.sessionConfig().orElseThrow();
        TurnPlanner.Plan.Turns plan = chunks.read(sessionId, refs -> planOf(config, refs));
        String message = "session '" + sessionId + "' went to the provider " + state.crashLoop() + " times in a row "
                + "without any connection ending with an outcome (the instance crashed or lost the task each time); "
                + "the limit is " + services.retry().maxDispatches() + " (realtime.max-dispatches)";
        SessionLog.warn(log, sessionId, state.runToken(), "{}", message);
        queues.completed(new CompletedAttempt(sessionId, state.runToken(), state.attempt(), state.connections(), config,
                plan.turns(), plan.audioMs(), now, new SessionOutcome.Failed(new Classification(FailureClass.PERMANENT,
                "CRASH_LOOP", message, false), List.of()), services.routes().primary().served()));
    }

    /**
     * Connects the session with the turns that have no result yet (turn checkpoints): a retry, a restart, a rebalance
     * or a stop that ran out of drain time sends only what no earlier connection finished. A turn that asks for a
     * response is finished once its ResponseEvent is written too. In a session with responses, the finished turns
     * before the last unfinished one are restored into the new conversation ({@link #contextOf}).
     */
    private void launch(String sessionId, SessionState state, long now, AdmissionGate.Slot slot) {
        context.forward(new Record<>(null, null, now)); // wakes the drain (its only child) for what this attempt writes
        ProviderRoutes.Route route = services.routes().get(slot.provider().name());
        ProviderGate provider = slot.provider();
        ServedBy served = route.served();
        SessionConfig config = services.routes().forProvider(state.sessionConfig().orElseThrow(), route);
        List<ChunkRef> refs = chunks.snapshot(sessionId); // packed: the audio reader's thread cannot read the store
        TurnPlanner.Plan.Turns plan = planOf(config, refs);
        int attempt = state.attempt();
        int connection = state.connections();
        Map<Integer, TurnResults.Recorded> recorded = sessions.turnResults().ofRun(sessionId, state.runToken());
        List<TurnSpec> remaining = plan.turns().stream().filter(turn -> !TurnResults.finished(turn, recorded)).toList();
        List<ContextTurn> context = remaining.isEmpty() ? List.of()
                : contextOf(plan.turns(), recorded, remaining.getLast().turnIndex());
        Set<Integer> given = new HashSet<>();
        remaining.forEach(turn -> given.add(turn.turnIndex()));
        context.forEach(turn -> given.add(turn.turnIndex()));
        List<TurnSpec> turns = plan.turns().stream().filter(turn -> given.contains(turn.turnIndex())).toList();
        // refs may run past the planned turns (a live turn still arriving, an empty chunk that only ends the
        // session): those are never given; a plan that gives every ref keeps the packed list as it is
        List<ChunkRef> givenRefs = turns.size() == plan.turns().size() && refs.size() == plan.lastSeq() + 1 ? refs
                : refs.stream().filter(ref -> given.contains(ref.turnIndex()) && ref.seq() <= plan.lastSeq()).toList();
        if (remaining.isEmpty()) {
            // every turn has its result (the last connection ended after its last checkpoint): only the result is due
            queues.completed(new CompletedAttempt(sessionId, state.runToken(), attempt, connection, config, plan.turns(),
                    plan.audioMs(), now, new SessionOutcome.Completed(List.of(), List.of(), List.of(), 0, 0), served));
            slot.release();
            return;
        }
        SessionRequest request = new SessionRequest(sessionId, state.runToken(), attempt, config, turns, context);
        SessionLog.debug(log, sessionId, state.runToken(), "dispatching session {} run {} attempt {} connection {} to {}: "
                        + "{} of {} turns ({} restored as context), {} ms of audio", sessionId, state.runToken(), attempt,
                connection, provider.name(), remaining.size(), plan.turns().size(), context.size(), plan.audioMs());
        CompletableFuture<SessionOutcome> outcome;
        boolean live = isLive(config) && !plan.ended();
        try {
            TurnListener listener = new ConnectionListener(sessionId, state.runToken(), attempt, connection, config,
                    served, provider, queues, services.gate().spend());
            if (live) {
                SessionLauncher.Launched launched = route.launcher().launchLive(request, givenRefs, listener);
                OpenLiveRun open = new OpenLiveRun(state.runToken(), connection, launched.more(),
                        plan.turns().getLast().turnIndex());
                liveRuns.put(sessionId, open);
                launched.outcome().whenComplete((result, error) -> liveRuns.remove(sessionId, open));
                outcome = launched.outcome();
            } else {
                outcome = route.launcher().launch(request, givenRefs, listener);
            }
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        queues.started(sessionId, outcome);
        long started = System.nanoTime();
        outcome.whenComplete((result, error) -> {
            services.metrics().attemptLatency(Duration.ofNanos(System.nanoTime() - started),
                    result instanceof SessionOutcome.Completed ? "completed" : "failed");
            if (error instanceof CancellationException) {
                queues.cancelled(sessionId);
                slot.release();
                return; // the task was revoked: its new owner dispatches the session again
            }
            SessionOutcome finished = error == null ? result : new SessionOutcome.Failed(new Classification(
                    FailureClass.TRANSIENT, "DRIVER_ERROR", String.valueOf(error), false), List.of());
            long at = System.currentTimeMillis();
            if (finished instanceof SessionOutcome.Failed failed && failed.classification().quotaExhausted()) {
                provider.quotaExhausted(at);
            }
            if (finished instanceof SessionOutcome.Failed failed && failed.classification().rateLimited()) {
                provider.rateLimitHit(at);
            } else {
                provider.rateLimitClear();
            }
            if (finished instanceof SessionOutcome.Completed completed && completed.providerErrors() > 0) {
                services.metrics().providerErrorsNoted(completed.providerErrors());
            }
            Optional<ProviderBreaker.Ticket> ticket = Optional.empty();
            if (finished instanceof SessionOutcome.Failed failed && failed.classification().connectionLevel()) {
                ticket = Optional.of(provider.breaker().connectionFailed(sessionId));
            } else if (!(finished instanceof SessionOutcome.Failed failed && failed.classification().rateLimited())) {
                provider.breaker().succeeded(); // the provider answered this session, whatever it said
            }
            queues.completed(new CompletedAttempt(sessionId, state.runToken(), attempt, connection, config,
                    plan.turns(), plan.audioMs(), now, finished, served, ticket));
            slot.release();
        });
    }

    /**
     * The turns a dispatched run has: every turn of a complete session, or the complete turns so far of a live one
     * (start AT_FIRST_TURN). The assembler refused a run whose plan is rejected before it could be dispatched.
     */
    private static TurnPlanner.Plan.Turns planOf(SessionConfig config, List<ChunkRef> refs) {
        return planOf(config, refs.iterator());
    }

    private static TurnPlanner.Plan.Turns planOf(SessionConfig config, Iterator<ChunkRef> refs) {
        TurnPlanner.Plan plan = isLive(config) ? TurnPlanner.prefix(config, refs)
                : TurnPlanner.plan(config, refs);
        return (TurnPlanner.Plan.Turns) plan;
    }

    /**
     * What a resumed conversation restores: in a session with responses, every finished turn before {@code upTo} (the
     * last unfinished turn) that reached the provider, as its transcript and its response's text; a turn without a
     * transcript (failed, or transcription off) has its audio re-sent instead. Turns the provider never got
     * (SKIPPED) have nothing to restore. Transcription-only sessions keep no conversation: nothing is restored.
     */
    private static List<ContextTurn> contextOf(List<TurnSpec> plan, Map<Integer, TurnResults.Recorded> recorded,
                                               int upTo) {
        if (plan.stream().noneMatch(TurnSpec::respond)) {
            return List.of();
        }
        List<ContextTurn> context = new ArrayList<>();
        for (TurnSpec turn : plan) {
            TurnResults.Recorded entry = recorded.get(turn.turnIndex());
            if (turn.turnIndex() >= upTo || !TurnResults.finished(turn, recorded) || entry.status() == TurnStatus.SKIPPED
                    || !turn.sendable()) {
                continue;
            }
            context.add(new ContextTurn(turn.turnIndex(), entry.userText(), entry.assistantText()));
        }
        return context;
    }

    @Override
    public void close() {
        liveRuns.clear();
        marked.forEach(mark -> mark.slot().release()); // never connected: the next owner dispatches them
        marked.clear();
        livePlacesHere.keySet().forEach(services.gate().livePlaces()::leave); // the next owner takes them again
        livePlacesHere.clear();
        queues.cancelAll();
        services.queues().forget(context.taskId());
    }
}
