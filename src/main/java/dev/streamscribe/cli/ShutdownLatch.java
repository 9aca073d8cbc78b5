package dev.streamscribe.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets a command run until SIGTERM or Ctrl-C and then finish its own clean-up: the JVM stops once its shutdown
 * hooks return, so the hook signals the command and then waits (bounded) until the command says it has closed.
 */
final class ShutdownLatch {
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);

    ShutdownLatch(long maxCloseSeconds) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopRequested.countDown();
            try {
                closed.await(maxCloseSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "streamscribe-shutdown"));
    }

    /** Blocks until a stop is requested. */
    void awaitStop() throws InterruptedException {
        stopRequested.await();
    }

    /** Call once everything is closed; the JVM may then exit. */
    void closed() {
        closed.countDown();
    }
}
