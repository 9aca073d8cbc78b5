package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.driver.Classification;
import dev.streamscribe.realtime.driver.FailureClass;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.topology.DispatchRuntime.TaskDispatch;
import dev.streamscribe.topology.DispatchRuntime.Waiting;
import dev.streamscribe.topology.SessionState.Status;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * Admits READY sessions to the provider, at most {@code realtime.max-concurrent-sessions} per JVM; the rest wait
 * in the store and input is never blocked (docs/architecture.md section 4 rule 2). On admission the session goes IN_FLIGHT
 * with attempt + 1 and the {@code RealtimeSessionDriver} gets its turns and an {@link AudioReader} stream of its
 * chunks. The stream thread never waits on the network: the driver's outcome is queued for the CompletionDrain.
 * Sessions found IN_FLIGHT when the task starts (restored after a crash or a rebalance) are dispatched again:
 * provider calls are at-least-once. Closing the task (revocation) cancels its open sessions.
 *
 * <p>Threading: process, punctuate and close run on the task's stream thread; driver callbacks only queue the
 * outcome and release the slot.
 */
public final class SessionDispatcher implements Processor<String, Object, Void, Void> {
    private static final Logger log = LoggerFactory.getLogger(SessionDispatcher.class);

    private final java.util.function.Supplier<DispatchRuntime> runtimeSupplier;
    private DispatchRuntime runtime;
    private final Duration checkEvery;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, SessionState> sessions;
    private ChunkIndex chunks;
    private TaskDispatch task;

    /** @param runtime asked for when the task starts (building or describing the topology runs nothing) */
    public SessionDispatcher(java.util.function.Supplier<DispatchRuntime> runtime, Duration checkEvery) {
        this.runtimeSupplier = runtime;
        this.checkEvery = checkEvery;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.runtime = runtimeSupplier.get();
        this.sessions = context.getStateStore(StoreNames.SESSION_STATE);
        KeyValueStore<Bytes, byte[]> index = context.getStateStore(StoreNames.CHUNK_INDEX);
        this.chunks = new ChunkIndex(index);
        this.task = runtime.task(context.taskId());
        long now = context.currentSystemTimeMs();
        try (KeyValueIterator<String, SessionState> all = sessions.all()) {
            all.forEachRemaining(entry -> {
                if (entry.value.status() == Status.READY || entry.value.status() == Status.IN_FLIGHT) {
                    task.waiting.add(new Waiting(entry.key, now));
                }
            });
        }
        context.schedule(checkEvery, PunctuationType.WALL_CLOCK_TIME, this::admit);
    }

    /** The assembler forwards a session the moment it becomes READY. */
    @Override
    public void process(Record<String, Object> record) {
        task.waiting.add(new Waiting(record.key(), context.currentSystemTimeMs()));
        admit(context.currentSystemTimeMs());
    }

    private void admit(long now) {
        while (!task.waiting.isEmpty() && task.waiting.peek().notBeforeMs() <= now) {
            if (!runtime.tryAcquireSlot(now)) {
                return; // JVM-wide limit reached, or paused for a rate limit: the rest wait in the store
            }
            String sessionId = task.waiting.poll().sessionId();
            SessionState state = sessions.get(sessionId);
            boolean dispatchable = state != null && (state.status() == Status.READY
                    || (state.status() == Status.IN_FLIGHT && !task.inFlight.containsKey(sessionId)));
            if (!dispatchable) {
                runtime.releaseSlot();
                continue;
            }
            dispatch(sessionId, state, now);
        }
    }

    private void dispatch(String sessionId, SessionState state, long now) {
        SessionConfig config = state.sessionConfig().orElseThrow();
        List<ChunkRef> refs = chunks.chunksOf(sessionId);
        TurnPlanner.Plan.Turns plan = (TurnPlanner.Plan.Turns) TurnPlanner.plan(config, refs);
        int attempt = state.attempt() + 1;
        sessions.put(sessionId, new SessionState(state.config(), state.runToken(), Status.IN_FLIGHT, state.chunks(),
                state.maxSeq(), state.endSeq(), state.duplicates(), state.lastRecordTimestamp(), state.lastTouchedWallMs(),
                attempt));
        SessionRequest request = new SessionRequest(sessionId, state.runToken(), attempt, config, plan.turns());
        log.debug("dispatching session {} run {} attempt {}: {} turns, {} ms of audio", sessionId, state.runToken(),
                attempt, plan.turns().size(), plan.audioMs());
        CompletableFuture<SessionOutcome> outcome;
        try {
            outcome = runtime.driver().run(request, runtime.audio().open(sessionId, refs));
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        task.inFlight.put(sessionId, outcome);
        long started = System.nanoTime();
        outcome.whenComplete((result, error) -> {
            runtime.metrics().attemptLatency(Duration.ofNanos(System.nanoTime() - started),
                    result instanceof SessionOutcome.Completed ? "completed" : "failed");
            if (error instanceof CancellationException) {
                task.inFlight.remove(sessionId);
                runtime.releaseSlot();
                return; // the task was revoked: its new owner dispatches the session again
            }
            SessionOutcome finished = error == null ? result : new SessionOutcome.Failed(new Classification(
                    FailureClass.TRANSIENT, "DRIVER_ERROR", String.valueOf(error), false), List.of());
            if (finished instanceof SessionOutcome.Failed failed && failed.classification().rateLimited()) {
                runtime.rateLimitHit(System.currentTimeMillis());
            } else {
                runtime.rateLimitClear();
            }
            // queued before the slot is released: a graceful stop waits for "nothing in flight, nothing queued",
            // which must never be true while this outcome is between the two
            task.completions.add(new CompletedAttempt(sessionId, state.runToken(), attempt, config, plan.turns(),
                    plan.audioMs(), now, finished));
            task.inFlight.remove(sessionId);
            runtime.releaseSlot();
        });
    }

    @Override
    public void close() {
        task.inFlight.values().forEach(future -> future.cancel(true));
        task.waiting.clear();
        runtime.forget(context.taskId());
    }
}
