package dev.streamscribe.cli;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.cost.CostEstimate;
import dev.streamscribe.results.ReplayPlan;
import dev.streamscribe.results.ResultCollector;
import dev.streamscribe.results.ResultsSnapshot;
import dev.streamscribe.topology.PipelineTopics;
import dev.streamscribe.topology.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** Sends finished sessions to the provider again, as new runs. */
@Command(name = "replay",
        header = "Run finished sessions again under a fresh run token (by default the failed ones).",
        description = {"Run finished sessions again: publishes each one's config again with a fresh run token, so the "
                + "pipeline sends the session (its audio is read back from the audio topic) to the provider once more "
                + "and writes a new set of results next to the old ones. By default this picks the sessions whose "
                + "current run ended FAILED or COMPLETED_WITH_ERRORS; --session names sessions, --all takes every "
                + "finished one.",
                "Cost: every replayed session is billed again by the provider. Sessions still running are left "
                        + "alone (a config cannot change in flight). The audio must still be on the audio topic "
                        + "(retention), or the new run ends FAILED with AUDIO_EXPIRED. Nothing is undone: old "
                        + "results stay; export shows the latest run."},
        footer = {"", "Examples:",
                "  streamscribe replay --dry-run",
                "  streamscribe replay --all --estimate        # what replaying everything would cost",
                "  streamscribe replay",
                "  streamscribe replay --session s-0f3a... --session s-77b1...",
                "  streamscribe replay --all"})
final class ReplayCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    PipelineOptions pipeline;

    @Option(names = "--session", split = ",", description = "Replay these sessions, whatever their outcome.")
    List<String> sessions = List.of();

    @Option(names = "--all", description = "Replay every session whose current run has finished.")
    boolean all;

    @Option(names = "--dry-run", description = "Only list what would be replayed.")
    boolean dryRun;

    @Option(names = "--estimate", description = "Publish nothing (as --dry-run) and print what replaying each session "
            + "will cost, from its previous run's turn lengths and the price table (docs/operations.md section 7): "
            + "exact for duration-billed models, a range for token-billed ones; then the total.")
    boolean estimate;

    @Override
    public Integer call() throws Exception {
        if (all && !sessions.isEmpty()) {
            throw new IllegalArgumentException("--all and --session exclude each other");
        }
        PipelineConfig config = pipeline.load();
        Topics topics = PipelineTopics.connect(config, System.getenv());
        Map<String, Object> clients = PipelineTopics.clientProperties(config);
        Map<String, SessionConfig> configs = ResultsSnapshot.configs(clients, topics);
        ResultCollector results = ResultsSnapshot.results(clients, topics);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReplayPlan.Plan plan = ReplayPlan.plan(configs, results, sessions, all,
                Long.toString(System.currentTimeMillis(), 36), System.currentTimeMillis());
        plan.problems().forEach(err::println);
        List<CostEstimate> estimates = new ArrayList<>();
        for (ReplayPlan.Replay replay : plan.replays()) {
            SessionResult previous = replay.previous();
            String line = replay.config().getSessionId() + "  " + previous.getRunToken() + " (" + previous.getStatus()
                    + (previous.getReason() == null ? "" : " " + previous.getReason()) + ") -> "
                    + replay.config().getRunToken();
            if (estimate) {
                CostEstimate cost = ReplayEstimates.of(replay, results, config);
                estimates.add(cost);
                line += String.format(Locale.ROOT, "  %.1f s  %s", cost.audioMs() / 1000.0,
                        cost.describe(config.prices().currency()));
            }
            out.println(line);
        }
        List<SessionConfig> chosen = plan.replays().stream().map(ReplayPlan.Replay::config).toList();
        int problems = plan.problems().size();
        if (estimate) {
            err.println("estimate: " + chosen.size() + " session(s): "
                    + CostEstimate.describeTotal(estimates, config.prices().currency()) + "; prices: "
                    + config.prices().origin() + "; nothing published");
            out.flush();
            err.flush();
            return problems == 0 ? 0 : 1;
        }
        if (!dryRun && !chosen.isEmpty()) {
            try (Producer<byte[], byte[]> producer = IngestCommand.producer(config)) {
                String topic = topics.sessionConfigs().name();
                for (SessionConfig replay : chosen) {
                    producer.send(new ProducerRecord<>(topic, replay.getSessionId().getBytes(StandardCharsets.UTF_8),
                            topics.sessionConfigs().valueSerde().serializer().serialize(topic, replay))).get();
                }
            }
        }
        err.println((dryRun ? "would replay " : "replayed ") + chosen.size() + " session(s)"
                + (chosen.isEmpty() && sessions.isEmpty() && !all ? " (none ended FAILED or COMPLETED_WITH_ERRORS)" : ""));
        out.flush();
        err.flush();
        return problems == 0 ? 0 : 1;
    }
}
