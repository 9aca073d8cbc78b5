package dev.streamscribe.cli;

import dev.streamscribe.bench.BenchPhase;
import dev.streamscribe.bench.BenchReport;
import dev.streamscribe.bench.BenchRun;
import dev.streamscribe.bench.BenchSettings;
import dev.streamscribe.util.Folders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** Measures the pipeline against baselines taken in the same run. */
@Command(name = "bench",
        header = "Measure throughput, concurrency, latency, memory and idle cost against same-run baselines.",
        description = {"Measure the pipeline on this machine: starts a Kafka broker, the schema registry, the local "
                + "realtime server (deterministic engine) and the pipeline, each in a process of its own, and measures "
                + "(1) raw Kafka produce+consume of the same bytes, (2) pipeline throughput from ingest to result "
                + "against it, (3) sessions per second at 10, 100 and 1,000 in flight with a slow server against the "
                + "ideal, with the pipeline's heap, threads and sockets, (4) latency added by the pipeline from "
                + "end_of_session to a readable result, (5) the pipeline's live heap for a 60-minute session against a "
                + "1-minute one, (6) the pipeline's idle CPU with 500,000 sessions known (waiting or finished) against "
                + "10,000, and the time from a kill -9 restart to a new session's result at both sizes. Every headline is a ratio to a baseline from the same run: these machines are noisy.",
                "Writes a markdown table and a JSON file (with the machine's facts) into --out and prints the table. "
                        + "About fifteen minutes (the soak phase publishes half a million sessions); --quick (small sizes, one "
                        + "concurrency level, a 2 s delay) about two. "
                        + "Uses only 127.0.0.1; everything it starts is stopped and its data deleted."},
        footer = {"", "Examples:", "  streamscribe bench", "  streamscribe bench --quick --out /tmp/bench"})
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "Small sizes: checks the harness in about two minutes; not for figures.")
    boolean quick;

    @Option(names = "--out", description = "Folder for the results (default: bench/results; with --quick, "
            + "target/bench-results, so checking the harness leaves nothing in the checkout).")
    Path out;

    @Option(names = "--pipeline-jvm-option", paramLabel = "OPTION",
            description = "Extra option of the pipeline's JVM (repeatable); {name} becomes the phase's pipeline name, "
                    + "e.g. -XX:StartFlightRecording=filename=/tmp/{name}.jfr")
    List<String> pipelineJvmOptions = List.of();

    @Option(names = "--phases", split = ",", paramLabel = "PHASE",
            description = "Run only these: throughput (with the raw baseline and latency), concurrency, memory, soak.")
    Set<String> phases = Set.of();

    @Option(names = "--concurrency-levels", split = ",", paramLabel = "N",
            description = "Sessions in flight to measure (default: 10,100,1000; --quick: 10).")
    List<Integer> concurrencyLevels = List.of();

    @Option(names = "--keep-work-dir", description = "Keep the temporary folder with every process's log and data.")
    boolean keepWorkDir;

    @Option(names = "--commit-interval-ms", paramLabel = "MS",
            description = "The pipelines' commit.interval.ms (default: 100, the pipeline's own default). Each commit is "
                    + "a transaction, so this sets how much of the broker's CPU is transaction work, and how long "
                    + "results wait to be readable.")
    Long commitIntervalMs;

    @Override
    public Integer call() throws Exception {
        BenchSettings settings = (quick ? BenchSettings.quick() : BenchSettings.full())
                .withPipelineJvmOptions(pipelineJvmOptions);
        if (!concurrencyLevels.isEmpty()) {
            settings = settings.withConcurrencyLevels(concurrencyLevels);
        }
        if (commitIntervalMs != null) {
            if (commitIntervalMs < 1 || commitIntervalMs > 600_000) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--commit-interval-ms must be between 1 and 600000, got " + commitIntervalMs);
            }
            settings = settings.withCommitInterval(Duration.ofMillis(commitIntervalMs));
        }
        Set<BenchPhase> chosen = EnumSet.allOf(BenchPhase.class);
        if (!phases.isEmpty()) {
            chosen = EnumSet.noneOf(BenchPhase.class);
            for (String id : phases) {
                chosen.add(BenchPhase.fromId(id).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                        "unknown phase '" + id + "'; the phases are " + BenchPhase.ids())));
            }
        }
        Path results = out != null ? out : Path.of(quick ? "target/bench-results" : "bench/results");
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path work = Files.createTempDirectory("streamscribe-bench-");
        ShutdownLatch shutdown = new ShutdownLatch(120);
        int exit = 1;
        try (BenchRun run = new BenchRun(settings, work, line -> {
            err.println("bench: " + line);
            err.flush();
        }).onlyPhases(chosen)) {
            BenchReport report = run.run();
            Files.createDirectories(results);
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            Path markdown = results.resolve(settings.name() + "-" + stamp + ".md");
            Path json = results.resolve(settings.name() + "-" + stamp + ".json");
            Files.writeString(markdown, report.markdown());
            Files.writeString(json, report.json());
            Files.writeString(results.resolve("latest-" + settings.name() + ".md"), report.markdown());
            Files.writeString(results.resolve("latest-" + settings.name() + ".json"), report.json());
            stdout.println(report.markdown());
            stdout.println("written: " + markdown + ", " + json);
            stdout.flush();
            exit = 0;
        } finally {
            if (keepWorkDir) {
                err.println("bench: logs and data kept in " + work);
            } else {
                Folders.deleteQuietly(work);
            }
            shutdown.closed(exit);
        }
        return exit;
    }
}
