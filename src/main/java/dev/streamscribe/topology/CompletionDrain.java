package dev.streamscribe.topology;

import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.realtime.driver.FailureClass;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.topology.DispatchRuntime.TaskDispatch;
import dev.streamscribe.topology.DispatchRuntime.Waiting;
import dev.streamscribe.topology.SessionState.Status;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Writes what finished attempts produced (docs/architecture.md section 4 rule 3): a wall-clock punctuator drains the task's
 * completion queue on the stream thread and forwards each attempt's TranscriptionEvents, ResponseEvents and
 * SessionResult together with the session-state update, so under exactly-once they commit in one transaction.
 * Outcomes of stale attempts (the run or attempt in the store moved on) are dropped. A transient failure with
 * attempts left goes back to waiting, after an exponential backoff with jitter, instead of producing records.
 *
 * <p>Threading: the stream thread only; driver callbacks reach it through the queue.
 */
public final class CompletionDrain implements Processor<Object, Object, Object, Object> {
    private static final Logger log = LoggerFactory.getLogger(CompletionDrain.class);

    private final java.util.function.Supplier<DispatchRuntime> runtimeSupplier;
    private DispatchRuntime runtime;
    private final Duration every;
    private final String dialect;
    private final String transcriptionSink;
    private final String responseSink;
    private final String resultSink;
    private final String deadLetterSink;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, SessionState> sessions;
    private TaskDispatch task;

    /** @param runtime asked for when the task starts (building or describing the topology runs nothing) */
    public CompletionDrain(java.util.function.Supplier<DispatchRuntime> runtime, Duration every, String dialect, String transcriptionSink,
                           String responseSink, String resultSink, String deadLetterSink) {
        this.runtimeSupplier = runtime;
        this.every = every;
        this.dialect = dialect;
        this.transcriptionSink = transcriptionSink;
        this.responseSink = responseSink;
        this.resultSink = resultSink;
        this.deadLetterSink = deadLetterSink;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.runtime = runtimeSupplier.get();
        this.sessions = context.getStateStore(StoreNames.SESSION_STATE);
        this.task = runtime.task(context.taskId());
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::drain);
    }

    @Override
    public void process(Record<Object, Object> record) {
        // nothing flows in: this node only writes what the driver finished
    }

    private void drain(long now) {
        CompletedAttempt attempt;
        while ((attempt = task.completions.poll()) != null) {
            SessionState state = sessions.get(attempt.sessionId());
            if (state == null || state.status() != Status.IN_FLIGHT || !state.runToken().equals(attempt.runToken())
                    || state.attempt() != attempt.attempt()) {
                log.info("dropping the outcome of stale attempt {} of session {} run {}", attempt.attempt(),
                        attempt.sessionId(), attempt.runToken());
                continue;
            }
            if (attempt.outcome() instanceof SessionOutcome.Failed failed
                    && failed.classification().failureClass() == FailureClass.TRANSIENT
                    && attempt.attempt() < runtime.maxAttempts()) {
                long delay = runtime.backoffMs(attempt.attempt() + 1);
                log.info("session {} attempt {} failed ({}): retrying in {} ms", attempt.sessionId(), attempt.attempt(),
                        failed.classification().reason(), delay);
                runtime.metrics().retry(failed.classification().reason());
                sessions.put(attempt.sessionId(), state.withStatus(Status.READY).withAttempt(attempt.attempt()));
                task.waiting.add(new Waiting(attempt.sessionId(), now + delay));
                continue;
            }
            write(attempt, state, now);
        }
    }

    private void write(CompletedAttempt attempt, SessionState state, long now) {
        OutcomeRecords records = OutcomeRecords.of(attempt, dialect, now);
        String key = attempt.sessionId();
        for (TranscriptionEvent event : records.transcriptions()) {
            context.forward(new Record<Object, Object>(key, event, now), transcriptionSink);
        }
        for (ResponseEvent event : records.responses()) {
            context.forward(new Record<Object, Object>(key, event, now), responseSink);
        }
        context.forward(new Record<Object, Object>(key, records.result(), now), resultSink);
        records.deadLetter().ifPresent(letter -> {
            forwardDeadLetter(key, letter, now);
            runtime.metrics().deadLetter(letter.getReasonCode());
        });
        runtime.metrics().sessionFinished(records.result().getStatus().name());
        sessions.put(key, state.withStatus(Status.FINISHED).withAttempt(attempt.attempt()));
        log.info("session {} run {}: {} after {} attempt(s)", key, attempt.runToken(), records.result().getStatus(),
                attempt.attempt());
    }

    private void forwardDeadLetter(String key, DeadLetter letter, long now) {
        context.forward(new Record<Object, Object>(key.getBytes(StandardCharsets.UTF_8), letter, now), deadLetterSink);
    }
}
