package dev.streamscribe.topology;

import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.StartPolicy;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.realtime.driver.Classification;
import dev.streamscribe.realtime.driver.FailureClass;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.TurnCheckpoint;
import dev.streamscribe.topology.SessionState.Status;
import dev.streamscribe.util.SessionLog;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes what finished attempts produced (docs/architecture.md section 4 rule 3): a wall-clock punctuator drains
 * the task's completion queue on the stream thread and forwards each attempt's TranscriptionEvents,
 * ResponseEvents and SessionResult together with the session-state update, so under exactly-once they commit in
 * one transaction. Outcomes of stale connections (the run or the connection number in the store moved on) are
 * dropped. A connection that failed in a provider outage ({@link ProviderBreaker}; its verdict may take up to the
 * breaker's grace to be known, meanwhile the outcome waits here) sends its session back to waiting without spending
 * an attempt. A transient failure with attempts left goes back to waiting, after the {@link RetryPolicy}'s backoff,
 * instead of producing records.
 *
 * <p>Threading: the stream thread only; outcomes reach it through the task's {@link TaskQueues}.
 */
public final class CompletionDrain implements Processor<Void, Void, String, SpecificRecord> {
    private static final Logger log = LoggerFactory.getLogger(CompletionDrain.class);

    /** The sinks this node writes to. */
    public record Sinks(String transcriptions, String responses, String results, String deadLetters) {
    }

    private final DispatchServices services;
    private final Duration every;
    private final Sinks sinks;
    private ProcessorContext<String, SpecificRecord> context;
    private Cadence cadence;
    private final SessionStore.Timing timing;
    private SessionStore sessions;
    private TaskQueues queues;
    /** Connection failures waiting to learn from the breaker whether they were part of a provider outage. */
    private final List<CompletedAttempt> awaitingVerdict = new ArrayList<>();

    CompletionDrain(DispatchServices services, Duration every, Sinks sinks,
                           SessionStore.Timing timing) {
        this.timing = timing;
        this.services = services;
        this.every = every;
        this.sinks = sinks;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.sessions = SessionStore.open(context, timing);
        this.queues = services.queues().forTask(context.taskId());
        cadence = Cadence.start(context, every, TranscribeTopology.QUIET_EVERY, TranscribeTopology.QUIET_AFTER,
                this::drain);
    }

    /** The dispatcher is starting an attempt: drain at the busy pace again (the record carries nothing). */
    @Override
    public void process(Record<Void, Void> record) {
        cadence.wake();
    }

    private void drain(long now) {
        writeTurns(now);
        List<CompletedAttempt> waited = new ArrayList<>(awaitingVerdict);
        awaitingVerdict.clear();
        waited.forEach(attempt -> handle(attempt, now)); // still pending ones come back to the list
        Optional<CompletedAttempt> next;
        while ((next = queues.pollCompletion()).isPresent()) {
            writeTurns(now); // a turn reported before this outcome is written before it
            handle(next.get(), now);
        }
        cadence.ran(now, awaitingVerdict.isEmpty() && queues.nothingToWrite());
    }

    private void handle(CompletedAttempt attempt, long now) {
        SessionState state = sessions.get(attempt.sessionId()).orElse(null);
        if (state == null || state.status() != Status.IN_FLIGHT || !state.runToken().equals(attempt.runToken())
                || state.connections() != attempt.connection()) {
            SessionLog.info(log, attempt.sessionId(), attempt.runToken(), "dropping the outcome of stale connection {} "
                    + "of session {} run {}", attempt.connection(), attempt.sessionId(), attempt.runToken());
            return;
        }
        if (attempt.breakerTicket().isPresent()) {
            ProviderBreaker breaker = services.gate().provider(attempt.served().provider()).breaker();
            switch (breaker.verdict(attempt.breakerTicket().get())) {
                case PENDING -> {
                    awaitingVerdict.add(attempt); // the session stays IN_FLIGHT, its slot already given back
                    return;
                }
                case OUTAGE -> {
                    SessionLog.info(log, attempt.sessionId(), attempt.runToken(), "session {}: its connection failed "
                            + "in a provider outage ({}); it waits for the provider without spending an attempt",
                            attempt.sessionId(), ((SessionOutcome.Failed) attempt.outcome()).classification().reason());
                    services.metrics().sessionRequeued();
                    sessions.put(attempt.sessionId(), state.providerOutage());
                    queues.enqueue(attempt.sessionId(), now, SessionDispatcher.isLive(attempt.config()));
                    return;
                }
                case ORDINARY -> {
                    // one session's connection failed while others got through: its own transient failure
                }
            }
        }
        attempt = permanentIfTimedOutTwice(attempt);
        if (attempt.outcome() instanceof SessionOutcome.Failed failed
                && failed.classification().failureClass() == FailureClass.TRANSIENT
                && services.retry().allowsAnotherAfter(attempt.attempt())) {
            long delay = services.retry().backoffMs(attempt.attempt() + 1);
            SessionLog.info(log, attempt.sessionId(), attempt.runToken(), "session {} attempt {} failed ({}): retrying "
                    + "in {} ms", attempt.sessionId(), attempt.attempt(), failed.classification().reason(), delay);
            services.metrics().retry(failed.classification().reason());
            sessions.put(attempt.sessionId(), state.retryPending());
            queues.enqueue(attempt.sessionId(), now + delay, SessionDispatcher.isLive(attempt.config()));
            return;
        }
        if (attempt.config().getStart() == StartPolicy.AT_FIRST_TURN
                && attempt.outcome() instanceof SessionOutcome.Completed && continueLive(attempt, state, now)) {
            return;
        }
        write(attempt, state, now);
    }

    /**
     * A live run's connection finished the turns it was given (docs/architecture.md section 4, "Live sessions"). Its
     * turns' records are written now; then, by the session's complete turns at this moment: more turns without a
     * result go out on a new connection at once (no attempt spent); none, and the session has not ended, the run
     * waits, assembling, for its next turn; ended with every turn finished, the SessionResult is written (false).
     */
    private boolean continueLive(CompletedAttempt attempt, SessionState state, long now) {
        String sessionId = attempt.sessionId();
        writeTurnRecords(attempt, now);
        TurnPlanner.Plan plan = sessions.chunks().read(sessionId, refs -> TurnPlanner.prefix(attempt.config(), refs));
        if (!(plan instanceof TurnPlanner.Plan.Turns turns)) {
            // the turns so far are refused: the assembler judges them when the next input arrives, else it expires
            sessions.put(sessionId, state.awaitingTurns());
            return true;
        }
        boolean unfinished = TurnResults.anyUnfinished(turns.turns(),
                sessions.turnResults().ofRun(sessionId, attempt.runToken()));
        if (turns.ended() && !unfinished) {
            write(attempt.withTurns(turns.turns(), turns.audioMs()), state, now); // the run's last connection
            return true;
        }
        if (unfinished || turns.ended()) {
            sessions.put(sessionId, state.liveContinues());
            queues.enqueue(sessionId, now, true);
        } else {
            sessions.put(sessionId, state.awaitingTurns());
        }
        SessionLog.debug(log, sessionId, attempt.runToken(), "live session {} run {}: connection {} done; {}",
                sessionId, attempt.runToken(), attempt.connection(), unfinished ? "next turns are due"
                        : "waiting for turns");
        return true;
    }

    /**
     * A session that times out the same way twice in a row, with no turn finished in between, would time out again:
     * the second time is permanent. The reason of a timeout and the number of turns with a result at that moment are
     * kept in the run's progress entry.
     */
    private CompletedAttempt permanentIfTimedOutTwice(CompletedAttempt attempt) {
        if (!(attempt.outcome() instanceof SessionOutcome.Failed failed)
                || failed.classification().failureClass() != FailureClass.TRANSIENT) {
            return attempt;
        }
        String reason = failed.classification().reason();
        boolean timeout = reason.endsWith("_TIMEOUT");
        TurnResults.Progress progress = sessions.turnResults().progress(attempt.sessionId(), attempt.runToken());
        if (!timeout) {
            if (!progress.lastTimeout().isEmpty()) {
                sessions.turnResults().putProgress(attempt.sessionId(), attempt.runToken(),
                        progress.withLastTimeout("", 0));
            }
            return attempt;
        }
        // read only here, on a timeout: whether any turn finished since the last one (no bookkeeping per turn)
        int turnsWithResult = sessions.turnResults().ofRun(attempt.sessionId(), attempt.runToken()).size();
        if (reason.equals(progress.lastTimeout()) && turnsWithResult == progress.turnsAtTimeout()) {
            return attempt.withOutcome(new SessionOutcome.Failed(Classification.permanent(reason,
                    failed.classification().message() + " (the second time in a row with no turn finished in "
                            + "between: another attempt would time out the same way)"), failed.providerSessionIds()));
        }
        sessions.turnResults().putProgress(attempt.sessionId(), attempt.runToken(),
                progress.withLastTimeout(reason, turnsWithResult));
        return attempt;
    }

    /**
     * Writes the attempt's TranscriptionEvents and ResponseEvents that no checkpoint wrote, and records them in
     * {@code turn-results} (a turn whose response is written here counts as responded, so a live run's next
     * connection does not send it again).
     */
    private OutcomeRecords writeTurnRecords(CompletedAttempt attempt, long now) {
        String key = attempt.sessionId();
        OutcomeRecords records = OutcomeRecords.of(attempt, attempt.served(), now,
                sessions.turnResults().ofRun(key, attempt.runToken()),
                sessions.turnResults().progress(key, attempt.runToken()));
        Map<Integer, ResponseEvent> responded = new HashMap<>();
        records.responses().forEach(event -> {
            context.forward(new Record<>(key, event, now), sinks.responses());
            responded.put(event.getTurnIndex(), event);
        });
        records.transcriptions().forEach(event -> {
            context.forward(new Record<>(key, event, now), sinks.transcriptions());
            sessions.turnResults().put(key, attempt.runToken(), event.getTurnIndex(),
                    OutcomeRecords.recorded(event, Optional.ofNullable(responded.get(event.getTurnIndex()))));
        });
        return records;
    }

    private void writeTurns(long now) {
        countStreamingTurns();
        writeFinishedTurns(now);
    }

    private boolean current(SessionState state, String runToken, int connection) {
        return state != null && state.status() == Status.IN_FLIGHT && state.runToken().equals(runToken)
                && state.connections() == connection;
    }

    /**
     * The run's audio progress: a turn streamed again (at or below the highest turn any connection of the run has
     * streamed, without a result) or re-sent as conversation context counts as audio sent more than once.
     */
    private void countStreamingTurns() {
        Optional<StreamingTurn> next;
        while ((next = queues.pollStreamingTurn()).isPresent()) {
            StreamingTurn turn = next.get();
            if (!current(sessions.get(turn.sessionId()).orElse(null), turn.runToken(), turn.connection())) {
                continue;
            }
            TurnResults.Progress progress = sessions.turnResults().progress(turn.sessionId(), turn.runToken());
            int index = turn.turn().turnIndex();
            boolean again = turn.asContext() || index <= progress.maxStreamedTurn();
            long resent = progress.audioResentMs() + (again ? turn.turn().durationMs() : 0);
            if (again) {
                services.metrics().audioResent(turn.turn().durationMs());
            }
            sessions.turnResults().putProgress(turn.sessionId(), turn.runToken(),
                    new TurnResults.Progress(Math.max(index, progress.maxStreamedTurn()), resent, progress.lastTimeout(),
                            progress.turnsAtTimeout()));
        }
    }

    /**
     * Turn checkpoints: each turn the provider finished while its attempt goes on gets its TranscriptionEvent (and its
     * ResponseEvent) now, recorded in {@code turn-results} in the same transaction, so no later connection sends it
     * again. A turn of a connection the run has moved on from, or one already recorded, is dropped; a turn recorded
     * without its response (by a build that wrote responses only with the outcome) gets only its ResponseEvent.
     */
    private void writeFinishedTurns(long now) {
        Optional<FinishedTurn> next;
        while ((next = queues.pollFinishedTurn()).isPresent()) {
            FinishedTurn turn = next.get();
            SessionState state = sessions.get(turn.sessionId()).orElse(null);
            if (!current(state, turn.runToken(), turn.connection())) {
                continue;
            }
            TurnCheckpoint checkpoint = turn.checkpoint();
            int index = checkpoint.turn().turnIndex();
            Optional<TurnResults.Recorded> earlier = sessions.turnResults().get(turn.sessionId(), turn.runToken(), index);
            boolean writeResponse = checkpoint.response().isPresent()
                    && earlier.map(recorded -> !recorded.responded()).orElse(true);
            if (earlier.isPresent() && !writeResponse) {
                continue;
            }
            TranscriptionEvent event = earlier.isPresent() ? null : OutcomeRecords.transcription(turn, now);
            if (event != null) {
                context.forward(new Record<>(turn.sessionId(), event, now), sinks.transcriptions());
            }
            ResponseEvent response = writeResponse ? OutcomeRecords.response(turn, now) : null;
            if (response != null) {
                context.forward(new Record<>(turn.sessionId(), response, now), sinks.responses());
            }
            sessions.turnResults().put(turn.sessionId(), turn.runToken(), index, OutcomeRecords.recorded(turn.config(),
                    earlier, event, response, checkpoint));
            if (state.crashLoop() > 0) {
                sessions.put(turn.sessionId(), state.progressed()); // a turn finished: the run is making progress
            }
        }
    }

    private void write(CompletedAttempt attempt, SessionState state, long now) {
        OutcomeRecords records = writeTurnRecords(attempt, now);
        String key = attempt.sessionId();
        context.forward(new Record<>(key, records.result(), now), sinks.results());
        records.deadLetter().ifPresent(letter -> {
            context.forward(new Record<>(key, letter, now), sinks.deadLetters());
            services.metrics().deadLetter(letter.getReasonCode());
        });
        services.metrics().sessionFinished(records.result().getStatus().name());
        sessions.put(key, state.finished());
        SessionLog.info(log, key, attempt.runToken(), "session {} run {}: {} after {} attempt(s)", key,
                attempt.runToken(), records.result().getStatus(), attempt.attempt());
    }
}
