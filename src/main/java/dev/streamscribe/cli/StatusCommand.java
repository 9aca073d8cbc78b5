package dev.streamscribe.cli;

import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.cost.ChargeSum;
import dev.streamscribe.cost.CostEstimate;
import dev.streamscribe.cost.Pricing;
import dev.streamscribe.metrics.InstanceStatus;
import dev.streamscribe.registry.SchemaRegistryClient;
import dev.streamscribe.results.PipelineStatus;
import dev.streamscribe.results.TopicReader;
import dev.streamscribe.topology.ChunkIndex;
import dev.streamscribe.topology.PipelineTopics;
import dev.streamscribe.topology.SessionState;
import dev.streamscribe.topology.SessionStateSerde;
import dev.streamscribe.topology.StoreNames;
import dev.streamscribe.topology.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Where the sessions stand. */
@Command(name = "status",
        header = "Where the sessions stand: counts by state, audio hours, rate, ETA, usage, cost, dead letters.",
        description = {"Show where the sessions stand: total, not yet read by the pipeline, assembling (waiting for "
                + "their config, end or missing chunks), waiting for a slot, in flight, done, done with errors, failed, "
                + "expired; hours of audio finished, the rate, an ETA for the rest, usage totals (tokens and billed "
                + "seconds), what the finished sessions cost and what the audio of the others will cost by the price "
                + "table, and dead letters by reason.",
                "Reads the topics (configs, results, dead letters and the pipeline's session-state and chunk-index "
                        + "changelogs) with "
                        + "read_committed consumers outside any consumer group: it changes nothing. With --watch it "
                        + "keeps reading and redraws until Ctrl-C.",
                "With --json each report is one JSON object on one line (with --watch, one line per interval): "
                        + "sessions by state, audio_finished_ms, rate, eta_seconds (null while unknown), usage, cost, "
                        + "dead_letters by reason, registry and instances. docs/operations.md describes every field."},
        footer = {"", "Examples:",
                "  streamscribe status",
                "  streamscribe status --watch --interval-seconds 5",
                "  streamscribe status --json | jq .sessions"})
final class StatusCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    PipelineOptions pipeline;

    @Option(names = "--watch", description = "Keep reading and redraw every --interval-seconds until Ctrl-C.")
    boolean watch;

    @Option(names = "--json", description = "Print each report as one JSON object per line, for scripts.")
    boolean json;

    @Option(names = "--interval-seconds", defaultValue = "2", description = "Redraw interval with --watch (default: ${DEFAULT-VALUE}).")
    long intervalSeconds;

    @Override
    public Integer call() throws Exception {
        PipelineConfig config = pipeline.load();
        SchemaRegistryClient registry = PipelineTopics.registryClient(config, System.getenv());
        Optional<String> unreachable = registry.unreachable();
        if (unreachable.isPresent()) {
            // every count needs records decoded with the registry: say so at once instead of waiting on each
            if (json) {
                JsonLines.print(spec.commandLine().getOut(), StatusJson.unreachableRegistry(config, unreachable.get()));
                return 1;
            }
            spec.commandLine().getOut().printf(Locale.ROOT, "registry     unreachable: %s%n", unreachable.get());
            spec.commandLine().getOut().flush();
            return 1;
        }
        Topics topics = Topics.create(config.topics(), registry);
        var clients = PipelineTopics.clientProperties(config);
        PipelineStatus status = new PipelineStatus(new Pricing(config.prices(), config.realtime().dialect().vendor()));
        String changelog = config.applicationId() + "-" + StoreNames.SESSION_STATE + "-changelog";
        String chunkIndexChangelog = config.applicationId() + "-" + StoreNames.CHUNK_INDEX + "-changelog";
        List<AutoCloseable> open = new ArrayList<>();
        try {
            TopicReader<SessionConfig> configs = track(open, new TopicReader<>(clients, topics.sessionConfigs().name(),
                    topics.sessionConfigs().valueSerde().deserializer()));
            TopicReader<SessionResult> results = track(open, new TopicReader<>(clients, topics.sessionResults().name(),
                    topics.sessionResults().valueSerde().deserializer()));
            TopicReader<DeadLetter> letters = track(open, new TopicReader<>(clients, topics.deadLetters().name(),
                    topics.deadLetters().valueSerde().deserializer()));
            String instanceTopic = PipelineTopics.instanceStatusTopic(config);
            Optional<TopicReader<String>> instanceReports = exists(clients, instanceTopic)
                    ? Optional.of(track(open, new TopicReader<>(clients, instanceTopic, new StringDeserializer())))
                    : Optional.empty();
            Map<String, InstanceStatus> instances = new TreeMap<>();
            Optional<TopicReader<SessionState>> states = exists(clients, changelog)
                    ? Optional.of(track(open, new TopicReader<>(clients, changelog, new SessionStateSerde().deserializer())))
                    : Optional.empty();
            Optional<TopicReader<Integer>> chunks = exists(clients, chunkIndexChangelog)
                    ? Optional.of(track(open, new TopicReader<>(clients, chunkIndexChangelog,
                    (topic, key) -> ChunkIndex.sessionIdOf(key),
                    (topic, value) -> value == null ? null : ChunkIndex.audioBytesOf(value))))
                    : Optional.empty();
            ShutdownLatch shutdown = watch ? new ShutdownLatch(10) : null;
            PrintWriter out = spec.commandLine().getOut();
            try {
                do {
                    configs.readToEnd(status::config);
                    results.readToEnd(status::result);
                    letters.readToEnd((key, letter) -> status.deadLetter(letter));
                    states.ifPresent(reader -> reader.readToEnd(status::state));
                    chunks.ifPresent(reader -> reader.readToEnd(status::chunk));
                    instanceReports.ifPresent(reader -> reader.readToEnd((instance, json) -> {
                        Optional<InstanceStatus> report = json == null ? Optional.empty() : InstanceStatus.fromJson(json);
                        report.ifPresentOrElse(r -> instances.put(instance, r), () -> instances.remove(instance));
                    }));
                    Optional<String> registryCondition = registry.health().describe(Instant.now());
                    if (json) {
                        JsonLines.print(out, StatusJson.report(status.summary(), config, states.isPresent(),
                                registryCondition, instances.values(), System.currentTimeMillis()));
                        continue;
                    }
                    if (watch) {
                        out.print("\033[H\033[2J");
                    }
                    print(out, status.summary(), config, states.isPresent());
                    out.printf(Locale.ROOT, "registry     %s%n", registryCondition
                            .orElse("reachable at " + config.registry().url()));
                    printInstances(out, instances.values(), System.currentTimeMillis());
                    out.flush();
                } while (watch && !shutdown.awaitStop(Duration.ofSeconds(intervalSeconds)));
            } finally {
                if (shutdown != null) {
                    shutdown.closed(0);
                }
            }
        } finally {
            for (AutoCloseable closeable : open) {
                closeable.close();
            }
        }
        return 0;
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> open, T closeable) {
        open.add(closeable);
        return closeable;
    }

    private static boolean exists(Map<String, Object> clients, String topic) throws Exception {
        try (Admin admin = Admin.create(clients)) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic);
        }
    }

    /** Spent (the finished runs' results) and projected (the indexed audio of the sessions without a result). */
    static void printCosts(PrintWriter out, PipelineStatus.Costs costs) {
        ChargeSum spent = costs.spent();
        List<String> caveats = new ArrayList<>();
        if (spent.estimated()) {
            caveats.add("partly estimated from audio duration");
        }
        if (spent.unpriced() > 0) {
            caveats.add(spent.unpriced() + " event(s) of unknown cost left out");
        }
        if (costs.resultsWithoutCost() > 0) {
            caveats.add(costs.resultsWithoutCost() + " result(s) written without a cost");
        }
        out.printf(Locale.ROOT, "cost         %s %.4f spent by finished sessions%s%n", costs.currency(), spent.amount(),
                caveats.isEmpty() ? "" : " (" + String.join("; ", caveats) + ")");
        if (costs.projectedAudioMs() > 0) {
            CostEstimate.Range range = costs.projected();
            String amount = costs.projectedExact() ? String.format(Locale.ROOT, "%s %.4f", costs.currency(), range.low())
                    : String.format(Locale.ROOT, "%s %.4f to %.4f", costs.currency(), range.low(), range.high());
            out.printf(Locale.ROOT, "projected    %s more for %.2f h of audio without a result%s%n", amount,
                    costs.projectedAudioMs() / 3_600_000.0, costs.projectedUnpriced() == 0 ? ""
                            : "; " + costs.projectedUnpriced() + " session(s) without a price left out");
        }
    }

    /**
     * What each running instance reports about itself (its state and the conditions its /health lists), from the
     * instance-status topic. An instance that stopped gracefully has removed its entry; one silent for over a minute
     * probably stopped without saying so (killed).
     */
    static void printInstances(PrintWriter out, Collection<InstanceStatus> instances, long nowMs) {
        if (instances.isEmpty()) {
            out.printf(Locale.ROOT, "instances    none reporting%n");
            return;
        }
        for (InstanceStatus instance : instances) {
            long ago = Math.max(0, nowMs - instance.updatedAtMs()) / 1000;
            out.printf(Locale.ROOT, "instance     %s %s (reported %d s ago%s)%n", instance.instance(), instance.state(), ago,
                    ago > 60 ? "; silent since: stopped without saying so?" : "");
            instance.conditions().forEach(line -> out.printf(Locale.ROOT, "             %s%n", line));
        }
    }

    static void print(PrintWriter out, PipelineStatus.Summary s, PipelineConfig config, boolean pipelineSeen) {
        out.printf(Locale.ROOT, "pipeline %s at %s%s%n", config.applicationId(), config.kafka().bootstrapServers(),
                pipelineSeen ? "" : " (has not run yet: no session-state changelog)");
        out.printf(Locale.ROOT, "sessions     %d total: %d done, %d done with errors, %d failed, %d expired%n",
                s.total(), s.completed(), s.completedWithErrors(), s.failed(), s.expired());
        out.printf(Locale.ROOT, "             %d in flight, %d waiting for a slot, %d assembling, %d not yet read%n",
                s.inFlight(), s.waiting(), s.assembling(), s.unread());
        if (s.live() > 0) {
            out.printf(Locale.ROOT, "live         %d session(s) transcribed as their turns end; the longest without "
                    + "input for %s%n", s.live(), ProgressDisplay.duration(Duration.ofMillis(
                    Math.max(0, System.currentTimeMillis() - s.liveOldestInputMs()))));
        }
        out.printf(Locale.ROOT, "audio        %.2f h finished%n", s.audioMs() / 3_600_000.0);
        if (s.audioRate() > 0) {
            out.printf(Locale.ROOT, "rate         %.1f s of audio per second, %.2f sessions per second%n",
                    s.audioRate(), s.sessionRate());
        }
        if (s.remaining() > 0) {
            out.printf(Locale.ROOT, "ETA          %s for %d session(s)%n", s.sessionRate() > 0
                    ? ProgressDisplay.duration(Duration.ofMillis((long) (s.remaining() / s.sessionRate() * 1000)))
                    : "unknown (nothing finished yet)", s.remaining());
        }
        out.printf(Locale.ROOT, "usage        %d input tokens, %d output tokens, %.0f s billed by duration%n",
                s.inputTokens(), s.outputTokens(), s.billedSeconds());
        printCosts(out, s.costs());
        long letters = s.deadLetters().values().stream().mapToLong(Long::longValue).sum();
        out.printf(Locale.ROOT, "dead letters %d%s%n", letters, letters == 0 ? "" : ": " + s.deadLetters().entrySet()
                .stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
    }
}
