package dev.streamscribe.testing;

import dev.streamscribe.cli.StreamscribeCli;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs {@code streamscribe} commands in the test JVM, capturing what they print. */
public final class Cli {
    private Cli() {
    }

    /** What a command printed and returned. */
    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = StreamscribeCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * {@code --config} and {@code --set} flags that point a command at the shared test broker and registry, with
     * topics and application id of their own.
     */
    public static List<String> pipelineFlags(String name, Path stateDir, String realtimeUrl) {
        List<String> flags = new ArrayList<>(List.of("--config", "topologies/transcribe.properties"));
        for (String setting : List.of(
                "bootstrap.servers=" + SharedInfrastructure.kafka().bootstrapServers(),
                "schema.registry.url=" + SharedInfrastructure.registry().url(),
                "application.id=" + name,
                "topic.prefix=" + name + ".",
                "topic.partitions=2",
                "state.dir=" + stateDir,
                "operations.port=-1",
                "realtime.url=" + realtimeUrl)) {
            flags.add("--set");
            flags.add(setting);
        }
        return flags;
    }

    /** The {@code --set} settings of {@code flags} as a map (for a pipeline started in a child JVM). */
    public static Map<String, String> settings(List<String> flags) {
        Map<String, String> sets = new java.util.LinkedHashMap<>();
        for (int i = 0; i < flags.size(); i++) {
            if (flags.get(i).equals("--set")) {
                String[] kv = flags.get(i + 1).split("=", 2);
                sets.put(kv[0], kv[1]);
            }
        }
        return sets;
    }

    /** The configuration those flags resolve to (for tests that read and write the same topics directly). */
    public static PipelineConfig pipelineConfig(List<String> flags) {
        Map<String, String> sets = new HashMap<>();
        for (int i = 0; i < flags.size(); i++) {
            if (flags.get(i).equals("--set")) {
                String[] kv = flags.get(i + 1).split("=", 2);
                sets.put(kv[0], kv[1]);
            }
        }
        return ConfigLoader.load(Path.of("topologies/transcribe.properties"), Map.of(), sets);
    }

    /** {@code command}, then {@code flags}, then {@code more}. */
    public static String[] args(String command, List<String> flags, String... more) {
        List<String> all = new ArrayList<>();
        all.add(command);
        all.addAll(flags);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
