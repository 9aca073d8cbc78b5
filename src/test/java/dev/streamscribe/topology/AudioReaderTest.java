package dev.streamscribe.topology;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The readers' consumers and metrics reporters: their per-partition metrics come and go with every session's
 * assignment, so they are neither reported as MBeans nor pushed as client telemetry unless the operator configured
 * it. No broker is needed: a consumer sets up its reporters when it is built, before it connects (the address below
 * is never dialled).
 */
class AudioReaderTest {
    private static final String NEVER_DIALLED = "127.0.0.1:9";

    /** Lane numbers are this test's own, so no consumer of another test (or one still closing) answers for it. */
    private static boolean metricsMBeanRegistered(int lane) throws MalformedObjectNameException {
        return ManagementFactory.getPlatformMBeanServer().isRegistered(
                new ObjectName("kafka.consumer:type=consumer-metrics,client-id=streamscribe-audio-reader-" + lane));
    }

    @Test
    void theReadersConsumersRegisterNoMetricsMBeansByDefault() throws Exception {
        try (KafkaConsumer<byte[], byte[]> ignored = laneConsumer(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                NEVER_DIALLED), 5)) {
            assertFalse(metricsMBeanRegistered(5));
        }
    }

    @Test
    void aMetricsReporterTheOperatorConfiguredIsKept() throws Exception {
        try (KafkaConsumer<byte[], byte[]> ignored = laneConsumer(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                NEVER_DIALLED, ConsumerConfig.METRIC_REPORTER_CLASSES_CONFIG, JmxReporter.class.getName()), 6)) {
            assertTrue(metricsMBeanRegistered(6));
        }
    }

    @Test
    void theReadersConsumersPushNoClientTelemetryByDefault() {
        try (KafkaConsumer<byte[], byte[]> consumer = laneConsumer(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, NEVER_DIALLED), 7)) {
            // Kafka's own signal that telemetry is off: no instance id to ask the broker for
            assertThrows(IllegalStateException.class, () -> consumer.clientInstanceId(Duration.ZERO));
        }
    }

    @Test
    void clientTelemetryTheOperatorEnabledIsKept() {
        try (KafkaConsumer<byte[], byte[]> consumer = laneConsumer(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                NEVER_DIALLED, ConsumerConfig.ENABLE_METRICS_PUSH_CONFIG, true), 8)) {
            // enabled, asking with no time to wait returns what it has (nothing yet) instead of refusing
            assertDoesNotThrow(() -> consumer.clientInstanceId(Duration.ZERO));
        }
    }

    /** A consumer configured as the reader's lane {@code lane}; closed before the test returns. */
    private static KafkaConsumer<byte[], byte[]> laneConsumer(Map<String, Object> consumerProps, int lane) {
        return new KafkaConsumer<>(AudioReader.laneConfig(consumerProps, lane), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }
}
