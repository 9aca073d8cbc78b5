package dev.streamscribe.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets a command run until SIGTERM or Ctrl-C and then finish its own clean-up: the JVM stops once its shutdown
 * hooks return, so the hook signals the command and then waits (bounded) until the command says it has closed.
 * A stop by signal then ends the process with the command's own exit code (0 for a clean stop), not 143.
 */
final class ShutdownLatch {
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile int exitCode = 0;

    ShutdownLatch(long maxCloseSeconds) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopRequested.countDown();
            try {
                if (closed.await(maxCloseSeconds, TimeUnit.SECONDS)) {
                    Runtime.getRuntime().halt(exitCode);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "streamscribe-shutdown"));
    }

    /** Blocks until a stop is requested. */
    void awaitStop() throws InterruptedException {
        stopRequested.await();
    }

    /** Call once everything is closed; the JVM may then exit, with {@code code} when a signal stopped it. */
    void closed(int code) {
        exitCode = code;
        closed.countDown();
    }

    void closed() {
        closed(0);
    }
}
