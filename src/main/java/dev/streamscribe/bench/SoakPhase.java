package dev.streamscribe.bench;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.topology.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Phase 6: work per second follows what is due, not the history. Two fresh pipelines know {@code small} and
 * {@code large} sessions that never need the provider (half wait for audio that never comes, half are replays of
 * runs whose results exist), and the pipeline JVM's CPU is measured while idle; the large one's against the small
 * one's. Then each pipeline is killed (SIGKILL) and started again on the same state folder, and the time from the
 * restart to the result of one new session is reported at both sizes (restoring state under exactly-once grows with
 * the state; the figure says by how much).
 *
 * <p>Threading: the bench's thread.
 */
final class SoakPhase {
    /** Long enough that no waiting session expires while it is measured. */
    private static final String IDLE_TIMEOUT_MS = Long.toString(Duration.ofDays(1).toMillis());
    private static final String TOKEN = "soak";

    private final PhaseContext context;

    SoakPhase(PhaseContext context) {
        this.context = context;
    }

    /** What one size measured. */
    /**
     * @param idleCommitsPerSecond the pipeline's commits while idle: each a transaction under exactly-once
     * @param idleBrokerMsPerSecond the broker's CPU meanwhile (it serves nothing else then)
     */
    private record Measured(int known, double idleCpuMsPerSecond, double idleCommitsPerSecond,
                            double idleBrokerMsPerSecond, double restartToRunningSeconds, double restartToResultSeconds) {
    }

    void run() throws Exception {
        ChildJvm server = context.stack().server("server-soak", Duration.ZERO);
        try {
            Measured small = measure(server, context.settings().soakSmall());
            Measured large = measure(server, context.settings().soakLarge());
            double ratio = large.idleCpuMsPerSecond() / small.idleCpuMsPerSecond();
            context.report().row(new BenchReport.Row("6 soak", String.format(Locale.ROOT,
                    "idle pipeline CPU with %,d sessions known (waiting or finished)", large.known()),
                    String.format(Locale.ROOT, "%.1f ms/s (%.1f commits/s; broker %.0f ms/s)", large.idleCpuMsPerSecond(),
                            large.idleCommitsPerSecond(), large.idleBrokerMsPerSecond()),
                    String.format(Locale.ROOT, "%.1f ms/s with %,d known (%.1f commits/s; broker %.0f ms/s)",
                            small.idleCpuMsPerSecond(), small.known(), small.idleCommitsPerSecond(),
                            small.idleBrokerMsPerSecond()),
                    ratio, "<= 1.20", ratio <= 1.20));
            double restartRatio = large.restartToResultSeconds() / small.restartToResultSeconds();
            context.report().row(new BenchReport.Row("6 soak", String.format(Locale.ROOT,
                    "kill -9, restart, first new session's result, %,d known (RUNNING after %.1f s)", large.known(),
                    large.restartToRunningSeconds()),
                    String.format(Locale.ROOT, "%.1f s", large.restartToResultSeconds()),
                    String.format(Locale.ROOT, "%.1f s with %,d known (RUNNING after %.1f s)",
                            small.restartToResultSeconds(), small.known(), small.restartToRunningSeconds()),
                    restartRatio, null, null));
            context.report().headline("soakIdleCpuRatio", BenchWorkload.round(ratio));
            context.report().headline("soakIdleCpuMsPerSecondLarge", BenchWorkload.round(large.idleCpuMsPerSecond()));
            context.report().headline("soakIdleCommitsPerSecondLarge", BenchWorkload.round(large.idleCommitsPerSecond()));
            context.report().headline("soakIdleBrokerCpuMsPerSecondLarge", BenchWorkload.round(large.idleBrokerMsPerSecond()));
            context.report().headline("soakRestartToResultSecondsLarge", BenchWorkload.round(large.restartToResultSeconds()));
        } finally {
            server.close();
        }
    }

    private Measured measure(ChildJvm server, int known) throws Exception {
        // static membership, as docs/operations.md advises: the restarted instance takes its tasks back at once, so
        // the restart figure is the restore's, not the group's 45 s session timeout
        BenchPipeline pipeline = context.stack().pipeline("soak-" + known, server, 16, List.of(),
                Map.of("session.idle-timeout-ms", IDLE_TIMEOUT_MS, "instance.id", "soak-" + known));
        try {
            long publishStarted = System.nanoTime();
            publishKnownSessions(pipeline.topics(), known);
            awaitConsumed(pipeline, pipeline.topics().sessionConfigs().name(), Duration.ofMinutes(20));
            context.progress().accept(String.format(Locale.ROOT, "soak: %,d sessions known after %.0f s", known,
                    (System.nanoTime() - publishStarted) / 1e9));
            Thread.sleep(context.settings().soakSettle().toMillis()); // the last commit, flushes and compactions
            double before = JvmProbe.cpuSeconds(pipeline.jvm().pid());
            double brokerBefore = context.stack().cpu(pipeline.jvm(), server).get("broker");
            double commitsBefore = pipeline.metricSum(ConcurrencyPhase.COMMITS);
            long started = System.nanoTime();
            Thread.sleep(context.settings().soakWindow().toMillis());
            double seconds = (System.nanoTime() - started) / 1e9;
            double cpuMsPerSecond = (JvmProbe.cpuSeconds(pipeline.jvm().pid()) - before) * 1000 / seconds;
            double commitsPerSecond = (pipeline.metricSum(ConcurrencyPhase.COMMITS) - commitsBefore) / seconds;
            double brokerMsPerSecond = (context.stack().cpu(pipeline.jvm(), server).get("broker") - brokerBefore) * 1000
                    / seconds;
            context.progress().accept(String.format(Locale.ROOT, "soak: idle CPU with %,d known: %.1f ms/s, %.1f "
                    + "commits/s, broker %.0f ms/s", known, cpuMsPerSecond, commitsPerSecond, brokerMsPerSecond));

            pipeline.jvm().kill();
            String probe = "probe-after-restart";
            byte[] audio = new byte[BenchWorkload.BYTES_PER_SECOND / 2];
            new Random(6).nextBytes(audio);
            try (Producer<byte[], byte[]> producer = context.stack().producer()) {
                BenchWorkload.publishSession(producer, pipeline.topics(), probe, audio);
            }
            long restarted = System.nanoTime();
            BenchPipeline again = context.stack().restart(pipeline, "restarted");
            pipeline = again;
            double toRunning = (System.nanoTime() - restarted) / 1e9;
            try (TopicWatcher<SessionResult> results = again.results()) {
                BenchWorkload.requireCompleted(BenchWorkload.awaitResults(results, probe::equals, 1,
                        Duration.ofMinutes(10)), "soak restart");
            }
            double toResult = (System.nanoTime() - restarted) / 1e9;
            context.progress().accept(String.format(Locale.ROOT, "soak: restart with %,d known: RUNNING after %.1f s, "
                    + "first result after %.1f s", known, toRunning, toResult));
            return new Measured(known, cpuMsPerSecond, commitsPerSecond, brokerMsPerSecond, toRunning, toResult);
        } finally {
            pipeline.close();
        }
    }

    /**
     * Half the sessions get a config and never any audio (they wait); the other half get a SessionResult first and
     * then the config of that run (a replay of a finished run: absorbed, never sent).
     */
    private void publishKnownSessions(Topics topics, int known) throws Exception {
        String configs = topics.sessionConfigs().name();
        String results = topics.sessionResults().name();
        try (Producer<byte[], byte[]> producer = context.stack().producer()) {
            for (int i = 0; i < known / 2; i++) {
                String id = "done-" + i;
                SessionResult result = SessionResult.newBuilder().setSessionId(id).setRunToken(TOKEN).setAttempt(1)
                        .setStatus(SessionStatus.COMPLETED).setFinishedAtMs(System.currentTimeMillis()).build();
                producer.send(new ProducerRecord<>(results, key(id),
                        topics.sessionResults().valueSerde().serializer().serialize(results, result)));
            }
            producer.flush();
            for (int i = 0; i < known / 2; i++) {
                for (String id : List.of("done-" + i, "waiting-" + i)) {
                    producer.send(new ProducerRecord<>(configs, key(id),
                            topics.sessionConfigs().valueSerde().serializer().serialize(configs, config(id))));
                }
            }
            producer.flush();
        }
    }

    private static byte[] key(String sessionId) {
        return sessionId.getBytes(StandardCharsets.UTF_8);
    }

    private static SessionConfig config(String sessionId) {
        return SessionConfig.newBuilder().setSessionId(sessionId).setRunToken(TOKEN)
                .setTranscription(TranscriptionSettings.newBuilder().setModel("gpt-4o-transcribe").build()).build();
    }

    /** Waits until the pipeline has consumed and committed everything in {@code topic}. */
    private static void awaitConsumed(BenchPipeline pipeline, String topic, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(pipeline.clients())) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(pipeline.id())
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                boolean done = ends.entrySet().stream().allMatch(end -> committed.containsKey(end.getKey())
                        && committed.get(end.getKey()).offset() >= end.getValue());
                if (done) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("the pipeline did not consume " + topic + " within " + timeout.toMinutes()
                            + " min");
                }
                Thread.sleep(500);
            }
        }
    }
}
