package dev.streamscribe.topology;

import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.testing.ChildPipeline;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestProducers;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * State that cannot be read (here a session-state value of a version from the future, as a downgrade would leave)
 * makes a stream thread fail every time it starts. The instance replaces failed threads a bounded number of times,
 * then stops: Kafka Streams goes to ERROR and {@code run} exits 4 saying why, instead of replacing threads (and
 * cancelling and re-billing sessions) forever.
 */
class PoisonStateIT {

    @TempDir
    Path dir;

    @Test
    void shouldStopWithExitCode4InsteadOfReplacingFailedThreadsForever() throws Exception {
        var kafka = SharedInfrastructure.kafka();
        String prefix = "poison-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        String applicationId = prefix + "app";
        Map<String, String> settings = new HashMap<>(Map.of("application.id", applicationId,
                "bootstrap.servers", kafka.bootstrapServers(), "schema.registry.url", SharedInfrastructure.registry().url(),
                "realtime.url", "ws://127.0.0.1:1/v1/realtime", "topic.prefix", prefix, "topic.partitions", "1",
                "state.dir", dir.resolve("state").toString(), "operations.port", "0"));
        // a failed thread stays in the group until its session times out: the broker's minimum, not 45 s
        settings.put("streams.consumer.session.timeout.ms", "6000");
        settings.put("streams.consumer.heartbeat.interval.ms", "1000");
        var config = ConfigLoader.fromMap(settings, Map.of());
        PipelineTopics.prepare(config, Topics.create(config.topics(), SharedInfrastructure.registry().client()));
        String changelog = applicationId + "-" + StoreNames.SESSION_STATE + "-changelog";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(changelog, 1, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get(30, TimeUnit.SECONDS);
            PipelineTopics.awaitLeaders(admin, List.of(changelog)); // it is produced to next
        }
        try (var producer = new KafkaProducer<>(TestProducers.props(kafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(changelog, 0, "poisoned", new byte[]{9, 0, 0, 0, 0})).get(30, TimeUnit.SECONDS);
        }

        Path stderr = dir.resolve("stderr.log");
        Process process = ChildPipeline.start(settings, stderr);
        try {
            assertTrue(process.waitFor(4, TimeUnit.MINUTES), "run stops by itself");
            String errors = Files.readString(stderr);
            assertEquals(4, process.exitValue(), errors.lines().filter(l -> l.contains("ERROR") || l.contains("stopped"))
                    .limit(5).toList().toString());
            assertTrue(errors.contains("the pipeline stopped itself") && errors.contains("failed more than 3 times"),
                    "the reason is printed");
            assertEquals(3, errors.lines().filter(l -> l.contains("replacing it (")).count(),
                    "three replacements, then the stop");
        } finally {
            process.destroyForcibly();
        }
    }
}
