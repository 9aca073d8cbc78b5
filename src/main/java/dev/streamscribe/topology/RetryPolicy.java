package dev.streamscribe.topology;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a session that failed transiently runs again: up to {@code maxAttempts} attempts per run, the second after
 * {@code baseBackoff}, each further one after twice as long, plus up to 50% jitter so sessions that failed together
 * do not return together. Separately, a session whose connections keep ending with no outcome at all (the instance
 * dies or loses the task each time) goes out at most {@code maxDispatches} times in a row, then fails CRASH_LOOP.
 */
public record RetryPolicy(int maxAttempts, Duration baseBackoff, int maxDispatches) {
    /** The default of {@code realtime.max-dispatches}. */
    public static final int DEFAULT_MAX_DISPATCHES = 10;

    public RetryPolicy(int maxAttempts, Duration baseBackoff) {
        this(maxAttempts, baseBackoff, DEFAULT_MAX_DISPATCHES);
    }

    public RetryPolicy {
        if (maxAttempts < 1 || maxDispatches < 1) {
            throw new IllegalArgumentException("maxAttempts and maxDispatches must be >= 1, got " + maxAttempts + " and "
                    + maxDispatches);
        }
        if (baseBackoff.isNegative()) {
            throw new IllegalArgumentException("baseBackoff must not be negative, got " + baseBackoff);
        }
    }

    /** Whether a run whose attempt {@code attempt} failed transiently may run again. */
    boolean allowsAnotherAfter(int attempt) {
        return attempt < maxAttempts;
    }

    /** Backoff before attempt {@code next} (2, 3, ...): base * 2^(next-2), plus up to 50% jitter. */
    long backoffMs(int next) {
        long base = baseBackoff.toMillis() << Math.min(20, Math.max(0, next - 2));
        return base + (long) (ThreadLocalRandom.current().nextDouble() * base / 2);
    }
}
