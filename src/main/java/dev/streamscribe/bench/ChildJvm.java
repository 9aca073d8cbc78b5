package dev.streamscribe.bench;

import dev.streamscribe.cli.StreamscribeCli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A {@code streamscribe} command in a JVM of its own, so that its heap, threads and sockets can be measured alone.
 * Uses this JVM's java and class path (the jar, or the test class path). Output goes to a log file; start returns
 * once a line says the command is up.
 *
 * <p>Threading: one reader thread per child copies its output; the rest from the caller's thread.
 */
public final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final String readyLine;

    private ChildJvm(String name, Process process, String readyLine) {
        this.name = name;
        this.process = process;
        this.readyLine = readyLine;
    }

    /**
     * @param ready  recognises the line that says the command is up
     * @param log    where the child's stdout and stderr go
     */
    public static ChildJvm start(String name, List<String> jvmOptions, List<String> args, Path log,
                                 Predicate<String> ready, Duration timeout) throws IOException, TimeoutException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), StreamscribeCli.class.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> up = new CompletableFuture<>();
        Thread copier = Thread.ofPlatform().daemon().name("child-" + name).start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
                for (String line; (line = in.readLine()) != null; ) {
                    out.println(line);
                    if (!up.isDone() && ready.test(line)) {
                        up.complete(line);
                    }
                }
            } catch (IOException e) {
                up.completeExceptionally(new UncheckedIOException(e));
            }
            if (!up.isDone()) {
                try {
                    up.completeExceptionally(new IllegalStateException(name + " exited with " + process.waitFor()
                            + " before it was up; see " + log));
                } catch (InterruptedException e) {
                    up.completeExceptionally(e);
                }
            }
        });
        try {
            return new ChildJvm(name, process, up.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new TimeoutException(name + " was not up after " + timeout.toSeconds() + " s; see " + log);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            process.destroyForcibly();
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } finally {
            copier.setName("child-" + name + "-output");
        }
    }

    public long pid() {
        return process.pid();
    }

    /** The line that said the command was up. */
    public String readyLine() {
        return readyLine;
    }

    public boolean isAlive() {
        return process.isAlive();
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
