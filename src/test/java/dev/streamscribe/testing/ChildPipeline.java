package dev.streamscribe.testing;

import dev.streamscribe.cli.StreamscribeCli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code streamscribe run} in a child JVM, as an operator starts it, for kill and signal tests. */
public final class ChildPipeline {
    private static final Path ROOT = Path.of(System.getProperty("streamscribe.project.dir", "."));

    private ChildPipeline() {
    }

    /** Starts it with the shipped pipeline definition plus {@code settings} as --set flags; returns once it runs. */
    public static Process launch(Map<String, String> settings, String... jvmOptions) throws Exception {
        Process process = new ProcessBuilder(command(settings, jvmOptions)).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String banner = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(banner != null && banner.contains("running"), "banner: " + banner);
        return process;
    }

    /** Starts it without waiting for anything, its standard error kept in {@code stderr} (stdout discarded). */
    public static Process start(Map<String, String> settings, Path stderr) throws Exception {
        return new ProcessBuilder(command(settings)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile()).start();
    }

    private static List<String> command(Map<String, String> settings, String... jvmOptions) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), StreamscribeCli.class.getName(), "run",
                "--config", ROOT.resolve("topologies/transcribe.properties").toString()));
        settings.forEach((key, value) -> command.addAll(List.of("--set", key + "=" + value)));
        return command;
    }
}
