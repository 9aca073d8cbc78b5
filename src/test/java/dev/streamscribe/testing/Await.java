package dev.streamscribe.testing;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting for a condition instead of sleeping: polls until it holds or the timeout passes, then fails naming what
 * was awaited. A generous timeout does not lengthen a passing test; a test that must prove that something did
 * <em>not</em> happen waits for a positive barrier first (inputs consumed, a counter reaching N), then asserts.
 */
public final class Await {
    private static final long FIRST_POLL_MS = 10;
    private static final long MAX_POLL_MS = 200;

    private Await() {
    }

    /** Returns once {@code condition} holds; fails with {@code description} after {@code timeout}. */
    public static void until(BooleanSupplier condition, Duration timeout, String description) {
        value(() -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty(), timeout, description);
    }

    /** The first value {@code probe} offers; fails with {@code description} after {@code timeout}. */
    public static <T> T value(Supplier<Optional<T>> probe, Duration timeout, String description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_POLL_MS;
        while (true) {
            Optional<T> found = probe.get();
            if (found.isPresent()) {
                return found.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + description);
            }
            try {
                Thread.sleep(pause); // the poll interval, not a wait for the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + description, e);
            }
            pause = Math.min(MAX_POLL_MS, pause * 2);
        }
    }
}
