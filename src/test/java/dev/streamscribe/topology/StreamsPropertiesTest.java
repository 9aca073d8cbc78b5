package dev.streamscribe.topology;

import dev.streamscribe.config.ConfigLoader;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class StreamsPropertiesTest {
    private static Properties props(Map<String, String> env) {
        return StreamscribePipeline.streamsProperties(ConfigLoader.fromMap(Map.of("bootstrap.servers", "h:1",
                "schema.registry.url", "http://h:2", "realtime.url", "ws://h:3/v1/realtime"), env));
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
}
