package dev.streamscribe.topology;

import dev.streamscribe.config.ConfigException;
import dev.streamscribe.config.ConfigLoader;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamsPropertiesTest {
    private static Properties props(Map<String, String> env) {
        return withSettings(Map.of(), env);
    }

    private static Properties withSettings(Map<String, String> settings) {
        return withSettings(settings, Map.of());
    }

    private static Properties withSettings(Map<String, String> settings, Map<String, String> env) {
        Map<String, String> all = new HashMap<>(Map.of("bootstrap.servers", "h:1", "schema.registry.url", "http://h:2",
                "realtime.url", "ws://h:3/v1/realtime"));
        all.putAll(settings);
        return StreamscribePipeline.streamsProperties(ConfigLoader.fromMap(all, env));
    }

    @Test
    void shouldRunExactlyOnceWithSmallBuffersForAudio() {
        Properties props = props(Map.of());
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals(16, props.get(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG));
        assertEquals(4 * 1024 * 1024, props.get("main.consumer.fetch.max.bytes"));
        assertFalse(props.containsKey("consumer.group.instance.id"));
    }

    @Test
    void shouldJoinWithAStaticMemberIdWhenAnInstanceIdIsSet() {
        assertEquals("streamscribe-transcribe-worker-1",
                props(Map.of("STREAMSCRIBE_INSTANCE_ID", "worker-1")).get("consumer.group.instance.id"));
    }

    @Test
    void shouldGiveChangelogsTheBrokersDefaultReplicationUnlessSet() {
        assertEquals(-1, props(Map.of()).get(StreamsConfig.REPLICATION_FACTOR_CONFIG));
        assertEquals("3", withSettings(Map.of("streams.replication.factor", "3"))
                .get(StreamsConfig.REPLICATION_FACTOR_CONFIG));
    }

    @Test
    void shouldRefuseAtLeastOnceUnlessExplicitlyAccepted() {
        ConfigException refused = assertThrows(ConfigException.class,
                () -> withSettings(Map.of("streams.processing.guarantee", "at_least_once")));
        assertTrue(refused.getMessage().contains("unsafe-at-least-once"), refused.getMessage());
        assertEquals("at_least_once", withSettings(Map.of("streams.processing.guarantee", "at_least_once",
                "processing.unsafe-at-least-once", "true")).get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    }

    @Test
    void shouldLetTransactionsOutliveARegistryOutageWaitedOutInPlace() {
        assertEquals(90_000, props(Map.of()).get("producer.transaction.timeout.ms"));
        ConfigException refused = assertThrows(ConfigException.class,
                () -> withSettings(Map.of("streams.producer.transaction.timeout.ms", "10000")));
        assertTrue(refused.getMessage().contains("registry outage"), refused.getMessage());
        assertEquals("120000", withSettings(Map.of("streams.producer.transaction.timeout.ms", "120000"))
                .get("producer.transaction.timeout.ms"));
    }
}
