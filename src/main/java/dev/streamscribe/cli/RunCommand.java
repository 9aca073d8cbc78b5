package dev.streamscribe.cli;

import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.topology.StreamscribePipeline;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** Runs the pipeline until stopped. */
@Command(name = "run",
        header = "Run the pipeline until stopped (or, with --exit-when-drained, until everything has its result).",
        description = "Run the pipeline against the Kafka cluster and schema registry of a pipeline definition until "
                + "stopped with Ctrl-C or SIGTERM. Creates missing topics. Every session that becomes ready is sent to "
                + "the configured realtime provider: with a cloud provider, that is where the cost is. Stopping and "
                + "starting again resumes where it left off; runs that have a SessionResult are never sent again. "
                + "Exit codes: 0 stopped or drained cleanly; 1 sessions in flight had to be cancelled at the stop (they "
                + "run again on the next start); 4 the pipeline stopped itself (a stream thread failed more than 3 times "
                + "within 10 minutes, or Kafka Streams failed): the message says why; 5 (with --exit-when-drained) the "
                + "budget (budget.max-cost) is spent and sessions wait for it: raise it and run again.",
        footer = {"", "Examples:",
                "  streamscribe run --config topologies/transcribe.properties",
                "  STREAMSCRIBE_REALTIME_URL=wss://api.openai.com/v1/realtime streamscribe run"})
final class RunCommand implements Callable<Integer> {
    /** Exit code when the pipeline stopped itself (Kafka Streams in ERROR, e.g. a thread failing again and again). */
    static final int EXIT_FAILED = 4;
    /** Exit code of --exit-when-drained when the budget is spent and sessions wait for it. */
    static final int EXIT_BUDGET_SPENT = 5;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    PipelineOptions pipeline;

    @Option(names = "--exit-when-drained",
            description = "For batch jobs: stop (gracefully, exit code 0) once every input record has been consumed and "
                    + "every session has its result. Sessions whose input never completes end EXPIRED after "
                    + "session.idle-timeout-ms, so that is the longest this waits for them. Also stops (exit code 5) "
                    + "when the budget is spent and the sessions left only wait for it.")
    boolean exitWhenDrained;

    /** Set when --exit-when-drained stopped because the budget is spent. */
    private boolean budgetStop;

    @Option(names = "--unsafe-at-least-once",
            description = "Accept a streams.processing.guarantee other than exactly_once_v2 (refused otherwise): after a "
                    + "crash, records can then be written twice and sessions sent to the provider twice.")
    boolean unsafeAtLeastOnce;

    @Option(names = "--ready-file", paramLabel = "FILE",
            description = "Once Kafka Streams is RUNNING, write the application id and the operations port there "
                    + "(a properties file), for scripts and process supervisors.")
    Path readyFile;

    @Override
    public Integer call() throws InterruptedException {
        PipelineConfig resolved = pipeline.load(unsafeAtLeastOnce
                ? Map.of("processing.unsafe-at-least-once", "true") : Map.of());
        ShutdownLatch shutdown = new ShutdownLatch(resolved.streams().drainTimeout().toSeconds() + 60);
        StreamscribePipeline pipeline = StreamscribePipeline.start(resolved, System.getenv());
        try {
            var out = spec.commandLine().getOut();
            out.println("streamscribe pipeline " + resolved.applicationId() + " running: " + resolved.realtime().dialect().id()
                    + " at " + resolved.realtime().url() + ", up to " + resolved.realtime().maxConcurrentSessions()
                    + " sessions in flight; Ctrl-C stops it");
            out.flush();
            if (readyFile != null) {
                announceWhenRunning(pipeline, resolved);
            }
            budgetStop = false;
            Optional<String> failed = exitWhenDrained ? awaitDrainedStopOrFailure(pipeline, shutdown)
                    : awaitStopOrFailure(pipeline, shutdown);
            if (failed.isPresent()) {
                spec.commandLine().getErr().println("streamscribe: the pipeline stopped itself: " + failed.get());
                spec.commandLine().getErr().flush();
                pipeline.close();
                shutdown.closed(EXIT_FAILED);
                return EXIT_FAILED;
            }
            boolean drained = pipeline.stop(resolved.streams().drainTimeout());
            int code = !drained ? 1 : budgetStop ? EXIT_BUDGET_SPENT : 0;
            shutdown.closed(code);
            return code;
        } catch (RuntimeException | InterruptedException e) {
            pipeline.close();
            shutdown.closed(1);
            throw e;
        }
    }

    /** Writes the ready file once Streams first reaches RUNNING (on a daemon thread: the command goes on). */
    private void announceWhenRunning(StreamscribePipeline pipeline, PipelineConfig resolved) {
        Thread.ofPlatform().daemon().name("ready-file").start(() -> {
            try {
                while (pipeline.state() != KafkaStreams.State.RUNNING) {
                    if (!pipeline.state().isRunningOrRebalancing() && pipeline.state() != KafkaStreams.State.CREATED) {
                        return; // stopping or failed: never ready
                    }
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                return;
            }
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("application.id", resolved.applicationId());
            pipeline.operationsPort().ifPresent(port -> facts.put("operations.port", Integer.toString(port)));
            ReadyFile.write(readyFile, facts);
        });
    }

    /** Returns when a stop is requested (empty) or the pipeline has failed (why). */
    private Optional<String> awaitStopOrFailure(StreamscribePipeline pipeline, ShutdownLatch shutdown)
            throws InterruptedException {
        while (!shutdown.awaitStop(Duration.ofSeconds(1))) {
            if (pipeline.failure().isPresent()) {
                return pipeline.failure();
            }
        }
        return Optional.empty();
    }

    /**
     * Returns when a stop is requested or the pipeline has had nothing to do for two checks in a row (one check can
     * fall between consuming a record and committing it), empty; or when the pipeline has failed, why.
     */
    private Optional<String> awaitDrainedStopOrFailure(StreamscribePipeline pipeline, ShutdownLatch shutdown)
            throws InterruptedException {
        int quiet = 0;
        int stalled = 0;
        while (!shutdown.awaitStop(Duration.ofSeconds(1))) {
            if (pipeline.failure().isPresent()) {
                return pipeline.failure();
            }
            var backlog = pipeline.backlog();
            quiet = backlog.isPresent() && backlog.get().drained() ? quiet + 1 : 0;
            if (quiet >= 2) {
                spec.commandLine().getOut().println("drained: every input consumed and every session has its result;"
                        + " stopping");
                spec.commandLine().getOut().flush();
                return Optional.empty();
            }
            stalled = backlog.isPresent() && backlog.get().onlyWaiting() && pipeline.budgetSpent() ? stalled + 1 : 0;
            if (stalled >= 2) {
                spec.commandLine().getOut().println("budget spent: " + backlog.get().unfinishedSessions()
                        + " session(s) wait for budget.max-cost to be raised; stopping (exit code "
                        + EXIT_BUDGET_SPENT + ")");
                spec.commandLine().getOut().flush();
                budgetStop = true;
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
