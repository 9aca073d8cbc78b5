package dev.streamscribe.topology;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * How often a failed stream thread is replaced: at most {@code max} times within {@code window}. Past that, the
 * failure is not a passing one (a poison record, unreadable state): replacing again would only cancel and re-bill
 * the sessions in flight in a loop, so the instance stops, Kafka Streams goes to ERROR, {@code /health} says DOWN and
 * {@code run} exits non-zero.
 *
 * <p>Threading: called from failing stream threads; synchronized.
 */
final class ThreadReplacementBudget {
    /** The default: three replacements within ten minutes. */
    static final int DEFAULT_MAX = 3;
    static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);

    private final int max;
    private final long windowMs;
    private final LongSupplier clockMs;
    private final Deque<Long> replacements = new ArrayDeque<>();
    private boolean spent;

    ThreadReplacementBudget(int max, Duration window, LongSupplier clockMs) {
        this.max = max;
        this.windowMs = window.toMillis();
        this.clockMs = clockMs;
    }

    /** A stream thread failed: whether it may be replaced (and the replacement is counted). */
    synchronized boolean allowReplacement() {
        long now = clockMs.getAsLong();
        while (!replacements.isEmpty() && now - replacements.peekFirst() > windowMs) {
            replacements.removeFirst();
        }
        if (replacements.size() >= max) {
            spent = true;
            return false;
        }
        replacements.addLast(now);
        return true;
    }

    synchronized boolean spent() {
        return spent;
    }

    /** Replacements counted within the window, for messages. */
    synchronized int used() {
        return replacements.size();
    }

    int max() {
        return max;
    }

    Duration window() {
        return Duration.ofMillis(windowMs);
    }
}
