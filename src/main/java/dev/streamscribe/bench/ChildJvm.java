package dev.streamscribe.bench;

import dev.streamscribe.cli.StreamscribeCli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@code streamscribe} command in a JVM of its own, so that its heap, threads and sockets can be measured alone.
 * Uses this JVM's java and class path (the jar, or the test class path). Output goes to a log file. The command is
 * given {@code --ready-file}: start returns once the child has written it, with what it says (a bootstrap address,
 * a port), so nothing is read out of log lines.
 *
 * <p>Threading: called from one thread; the child's output goes straight to its log file.
 */
public final class ChildJvm implements AutoCloseable {
    private static final long READY_POLL_MS = 50;

    private final String name;
    private final Process process;
    private final Properties ready;

    private ChildJvm(String name, Process process, Properties ready) {
        this.name = name;
        this.process = process;
        this.ready = ready;
    }

    /**
     * Starts {@code streamscribe ARGS --ready-file F} and waits for F.
     *
     * @param log where the child's stdout and stderr go
     */
    public static ChildJvm start(String name, List<String> jvmOptions, List<String> args, Path log, Path readyFile,
                                 Duration timeout) throws IOException, TimeoutException {
        Files.deleteIfExists(readyFile);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), StreamscribeCli.class.getName()));
        command.addAll(args);
        command.addAll(List.of("--ready-file", readyFile.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!Files.exists(readyFile)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue()
                            + " before it was ready; see " + log);
                }
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new TimeoutException(name + " was not ready after " + timeout.toSeconds() + " s; see " + log);
                }
                Thread.sleep(READY_POLL_MS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + name + " started", e);
        }
        Properties ready = new Properties();
        try (Reader in = Files.newBufferedReader(readyFile)) {
            ready.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + readyFile, e);
        }
        return new ChildJvm(name, process, ready);
    }

    public long pid() {
        return process.pid();
    }

    /** What the child said in its ready file. */
    public String ready(String key) {
        String value = ready.getProperty(key);
        if (value == null) {
            throw new IllegalStateException(name + "'s ready file has no '" + key + "': " + ready);
        }
        return value;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process at once (SIGKILL), as a crash would: no shutdown hook, no graceful close. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM (a graceful stop), then SIGKILL after 30 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
