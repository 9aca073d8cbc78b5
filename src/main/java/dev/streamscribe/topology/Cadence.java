package dev.streamscribe.topology;

import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.api.ProcessorContext;

import java.time.Duration;

/**
 * A wall-clock punctuator that runs at a busy pace while its processor has work and at a quiet pace once it has had
 * none for a while. Kafka Streams marks a task for commit after every punctuation, and under exactly-once each
 * commit is a transaction: with the drain at 50 ms and the dispatcher at 100 ms, an idle pipeline committed about
 * ten times a second (8.7 measured by the bench just before a phase), for ever, each a round of transaction
 * requests and markers on the broker.
 *
 * <p>The state machine has two paces; {@link #ran} may only slow it down and {@link #wake} only speed it up, each
 * by cancelling the punctuator and scheduling the other. Both must be called from the owning processor's own
 * callbacks (its punctuation or its {@code process}): a punctuator belongs to the node that is current when it is
 * scheduled.
 *
 * <p>Threading: the stream thread only.
 */
final class Cadence {
    enum Pace { BUSY, QUIET }

    private final ProcessorContext<?, ?> context;
    private final Duration busy;
    private final Duration quiet;
    private final Duration settle;
    private final Punctuator task;
    private Pace pace;
    private Cancellable scheduled;
    /** Since when {@link #ran} has been told there is nothing to do; -1 while there is. */
    private long idleSinceMs = -1;

    private Cadence(ProcessorContext<?, ?> context, Duration busy, Duration quiet, Duration settle, Punctuator task) {
        if (quiet.compareTo(busy) <= 0) {
            throw new IllegalArgumentException("the quiet pace (" + quiet + ") must be slower than the busy one (" + busy + ")");
        }
        this.context = context;
        this.busy = busy;
        this.quiet = quiet;
        this.settle = settle;
        this.task = task;
    }

    /**
     * Schedules {@code task} at the busy pace.
     *
     * @param settle how long there must have been nothing to do before the pace slows down
     */
    static Cadence start(ProcessorContext<?, ?> context, Duration busy, Duration quiet, Duration settle,
                         Punctuator task) {
        Cadence cadence = new Cadence(context, busy, quiet, settle, task);
        cadence.pace = Pace.BUSY;
        cadence.scheduled = context.schedule(busy, PunctuationType.WALL_CLOCK_TIME, task);
        return cadence;
    }

    Pace pace() {
        return pace;
    }

    /** After a run of the task: whether it left nothing to do. Slows down once that has held for the settle time. */
    void ran(long nowMs, boolean idle) {
        if (!idle) {
            idleSinceMs = -1;
            return;
        }
        if (idleSinceMs < 0) {
            idleSinceMs = nowMs;
        }
        if (pace == Pace.BUSY && nowMs - idleSinceMs >= settle.toMillis()) {
            moveTo(Pace.QUIET);
        }
    }

    /** Work has come: back to the busy pace at once (nothing to do when already there). */
    void wake() {
        idleSinceMs = -1;
        if (pace == Pace.QUIET) {
            moveTo(Pace.BUSY);
        }
    }

    private void moveTo(Pace next) {
        if (next == pace) {
            throw new IllegalStateException("the cadence is already " + pace);
        }
        scheduled.cancel();
        scheduled = context.schedule(next == Pace.BUSY ? busy : quiet, PunctuationType.WALL_CLOCK_TIME, task);
        pace = next;
    }
}
