package dev.streamscribe.topology;

import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.testing.SharedInfrastructure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipeline refuses to start on an audio topic that would delete audio before its session can run. */
class AudioRetentionCheckIT {
    @Test
    void shouldRefuseAnAudioTopicWhoseRetentionIsTooShort() throws Exception {
        var kafka = SharedInfrastructure.kafka();
        String prefix = "retention-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        var config = ConfigLoader.fromMap(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", SharedInfrastructure.registry().url(), "realtime.url", "ws://127.0.0.1:1/v1/realtime",
                "topic.prefix", prefix), Map.of());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(config.topics().audioChunks(), 1, (short) 1)
                    .configs(Map.of("retention.ms", "60000")))).all().get(30, TimeUnit.SECONDS);
        }
        Topics topics = Topics.create(config.topics(), SharedInfrastructure.registry().client());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PipelineTopics.prepare(config, topics));
        assertTrue(e.getMessage().contains(config.topics().audioChunks() + " keeps records for 60000 ms")
                && e.getMessage().contains("retention.ms"), e.getMessage());
    }
}
