package dev.streamscribe.cli;

import java.time.Duration;
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
    private final Thread hook;

    ShutdownLatch(long maxCloseSeconds) {
        hook = new Thread(() -> {
            stopRequested.countDown();
            try {
                if (closed.await(maxCloseSeconds, TimeUnit.SECONDS)) {
                    Runtime.getRuntime().halt(exitCode);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "streamscribe-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Blocks until a stop is requested. */
    void awaitStop() throws InterruptedException {
        stopRequested.await();
    }

    /**
     * Blocks until a stop is requested or {@code timeout} passes.
     *
     * @return true when a stop was requested
     */
    boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopRequested.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Call once everything is closed; the JVM may then exit, with {@code code} when a signal stopped it. When the
     * command ended on its own, the hook is removed, so a JVM that runs commands in-process (tests) is not halted.
     */
    void closed(int code) {
        exitCode = code;
        closed.countDown();
        if (stopRequested.getCount() > 0) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it sees closed and halts with the code
            }
        }
    }

    void closed() {
        closed(0);
    }
}
