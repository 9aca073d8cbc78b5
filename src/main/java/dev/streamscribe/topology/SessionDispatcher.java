package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.driver.Classification;
import dev.streamscribe.realtime.driver.FailureClass;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * Admits READY sessions to the provider through the JVM's {@link AdmissionGate}; the rest wait in the store and
 * input is never blocked (docs/architecture.md section 4 rule 2). On admission the session goes IN_FLIGHT with the
 * next attempt and the {@link SessionLauncher} starts it with its turns and chunk index. The stream thread never
 * waits on the network: the outcome is queued in the task's {@link TaskQueues} for the CompletionDrain. Sessions
 * found IN_FLIGHT when the task starts (restored after a crash or a rebalance) are dispatched again: provider calls
 * are at-least-once; they are found through the {@link SessionSchedule}, not by reading every session. Closing the task (revocation) cancels its open sessions.
 *
 * <p>Threading: process, punctuate and close run on the task's stream thread; the outcome callback (any thread)
 * only queues the outcome and releases the slot.
 */
public final class SessionDispatcher implements Processor<String, SessionConfig, Void, Void> {
    private static final Logger log = LoggerFactory.getLogger(SessionDispatcher.class);

    private final DispatchServices services;
    private final Duration checkEvery;
    private ProcessorContext<Void, Void> context;
    private final SessionStore.Timing timing;
    private SessionStore sessions;
    private ChunkIndex chunks;
    private TaskQueues queues;

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
        long now = context.currentSystemTimeMs();
        // READY and IN_FLIGHT sessions only, from the schedule: start-up reads what waits, not every session known
        for (SessionSchedule.Entry entry : sessions.schedule().due(SessionSchedule.Kind.DISPATCH, 0, Integer.MAX_VALUE)) {
            queues.enqueue(entry.sessionId(), now);
        }
        context.schedule(checkEvery, PunctuationType.WALL_CLOCK_TIME, this::admit);
    }

    /** The assembler forwards a run's config the moment the run becomes READY. */
    @Override
    public void process(Record<String, SessionConfig> record) {
        queues.enqueue(record.key(), context.currentSystemTimeMs());
        admit(context.currentSystemTimeMs());
    }

    private void admit(long now) {
        while (queues.hasDue(now)) {
            if (!services.gate().tryAcquire(now)) {
                return; // JVM-wide limit reached, or paused for a rate limit: the rest wait in the store
            }
            String sessionId = queues.pollDue(now).orElseThrow();
            Optional<SessionState> state = sessions.get(sessionId);
            if (state.isEmpty() || !state.get().dispatchable() || queues.isInFlight(sessionId)) {
                services.gate().release();
                continue;
            }
            dispatch(sessionId, state.get(), now);
        }
    }

    private void dispatch(String sessionId, SessionState state, long now) {
        SessionConfig config = state.sessionConfig().orElseThrow();
        List<ChunkRef> refs = chunks.snapshot(sessionId); // packed: the audio reader's thread cannot read the store
        TurnPlanner.Plan.Turns plan = (TurnPlanner.Plan.Turns) TurnPlanner.plan(config, refs);
        SessionState admitted = state.admitted();
        sessions.put(sessionId, admitted);
        int attempt = admitted.attempt();
        SessionRequest request = new SessionRequest(sessionId, state.runToken(), attempt, config, plan.turns());
        log.debug("dispatching session {} run {} attempt {}: {} turns, {} ms of audio", sessionId, state.runToken(),
                attempt, plan.turns().size(), plan.audioMs());
        CompletableFuture<SessionOutcome> outcome;
        try {
            outcome = services.launcher().launch(request, refs);
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
                services.gate().release();
                return; // the task was revoked: its new owner dispatches the session again
            }
            SessionOutcome finished = error == null ? result : new SessionOutcome.Failed(new Classification(
                    FailureClass.TRANSIENT, "DRIVER_ERROR", String.valueOf(error), false), List.of());
            if (finished instanceof SessionOutcome.Failed failed && failed.classification().rateLimited()) {
                services.gate().rateLimitHit(System.currentTimeMillis());
            } else {
                services.gate().rateLimitClear();
            }
            queues.completed(new CompletedAttempt(sessionId, state.runToken(), attempt, config, plan.turns(),
                    plan.audioMs(), now, finished));
            services.gate().release();
        });
    }

    @Override
    public void close() {
        queues.cancelAll();
        services.queues().forget(context.taskId());
    }
}
