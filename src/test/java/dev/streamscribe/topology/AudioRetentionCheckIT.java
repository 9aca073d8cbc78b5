package dev.streamscribe.topology;

import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.testing.SharedInfrastructure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The topics' settings the pipeline's guarantees rest on, checked at start-up on a real broker: audio kept long
 * enough and not compacted, configs and chunks co-partitioned, session results kept forever.
 */
class AudioRetentionCheckIT {
    private static PipelineConfig config() {
        String prefix = "topics-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        return ConfigLoader.fromMap(Map.of("bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers(),
                "schema.registry.url", SharedInfrastructure.registry().url(), "realtime.url", "ws://127.0.0.1:1/v1/realtime",
                "topic.prefix", prefix, "topic.partitions", "2"), Map.of());
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers()));
    }

    private static void create(String topic, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static Topics topics(PipelineConfig config) {
        return Topics.create(config.topics(), SharedInfrastructure.registry().client());
    }

    @Test
    void shouldRefuseAnAudioTopicWhoseRetentionIsTooShort() throws Exception {
        PipelineConfig config = config();
        create(config.topics().audioChunks(), 2, Map.of("retention.ms", "60000"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PipelineTopics.prepare(config, topics(config)));
        assertTrue(e.getMessage().contains(config.topics().audioChunks() + " keeps records for 60000 ms")
                && e.getMessage().contains("retention.ms"), e.getMessage());
    }

    @Test
    void shouldRefuseACompactedAudioTopic() throws Exception {
        PipelineConfig config = config();
        create(config.topics().audioChunks(), 2, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PipelineTopics.prepare(config, topics(config)));
        assertTrue(e.getMessage().contains("is compacted"), e.getMessage());
    }

    @Test
    void shouldRefuseConfigsAndChunksWithDifferentPartitionCounts() throws Exception {
        PipelineConfig config = config();
        create(config.topics().sessionConfigs(), 3, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PipelineTopics.prepare(config, topics(config)));
        assertTrue(e.getMessage().contains("have 3 and 2 partitions") && e.getMessage().contains("co-partitioning"),
                e.getMessage());
    }

    @Test
    void shouldCreateSessionResultsWithoutRetentionLimits() throws Exception {
        PipelineConfig config = config();
        List<String> warnings = PipelineTopics.prepare(config, topics(config)).warnings();
        assertTrue(warnings.isEmpty(), warnings.toString());
        try (Admin admin = admin()) {
            ConfigResource results = new ConfigResource(ConfigResource.Type.TOPIC, config.topics().sessionResults());
            var described = admin.describeConfigs(List.of(results)).all().get(30, TimeUnit.SECONDS).get(results);
            assertEquals("-1", described.get(TopicConfig.RETENTION_MS_CONFIG).value());
            assertEquals("-1", described.get(TopicConfig.RETENTION_BYTES_CONFIG).value());
        }
    }

    @Test
    void shouldWarnWhenExistingSessionResultsExpire() throws Exception {
        PipelineConfig config = config();
        create(config.topics().sessionResults(), 2, Map.of(TopicConfig.RETENTION_MS_CONFIG, "604800000"));
        List<String> warnings = PipelineTopics.prepare(config, topics(config)).warnings();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().contains("keeps results for 604800000 ms") && warnings.getFirst().contains("paid twice"),
                warnings.getFirst());
    }
}
