package dev.streamscribe.realtime.driver;

import dev.streamscribe.util.SerialExecutor;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of one session attempt: the whole attempt ({@code realtime.session-timeout-ms}) and one wait at a
 * time (for {@code session.updated}, a commit's answer, a response), each firing on the session's serial executor.
 * Per-turn item deadlines are scheduled here and kept by their turn.
 *
 * <p>Threading: started and cancelled on the session's serial executor; the shared timer thread only re-submits.
 */
final class AttemptTimers {
    private final ScheduledExecutorService timer;
    private final SerialExecutor serial;
    private ScheduledFuture<?> attempt;
    private ScheduledFuture<?> wait;

    AttemptTimers(ScheduledExecutorService timer, SerialExecutor serial) {
        this.timer = timer;
        this.serial = serial;
    }

    /** Runs {@code task} on the serial executor after {@code delay}. */
    ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        return timer.schedule(() -> serial.execute(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * The current connection ends by {@code limit} (replacing the limit of an earlier connection of the attempt, so a
     * session rotated to a new socket before the providers' 60 minutes can run for longer than one limit).
     */
    void limitConnection(Duration limit, Runnable onExpiry) {
        if (attempt != null) {
            attempt.cancel(false);
        }
        attempt = schedule(limit, onExpiry);
    }

    /** The current wait (replacing any earlier one) ends by {@code timeout}. */
    void awaitWithin(Duration timeout, Runnable onTimeout) {
        cancelWait();
        wait = schedule(timeout, onTimeout);
    }

    /** What was awaited arrived. */
    void cancelWait() {
        if (wait != null) {
            wait.cancel(false);
            wait = null;
        }
    }

    /** The attempt ended. */
    void cancelAll() {
        cancelWait();
        if (attempt != null) {
            attempt.cancel(false);
        }
    }
}
