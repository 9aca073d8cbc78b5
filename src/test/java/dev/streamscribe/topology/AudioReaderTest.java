package dev.streamscribe.topology;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.metrics.JmxReporter;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Map;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The readers' consumers and JMX: their per-partition metrics come and go with every session's assignment, so they
 * are not reported as MBeans unless the operator configured a reporter. No broker is needed: a consumer registers
 * its metrics when it is built, before it connects (the address below is never dialled).
 */
class AudioReaderTest {
    private static final String NEVER_DIALLED = "127.0.0.1:9";

    private static boolean metricsMBeanRegistered() throws MalformedObjectNameException {
        return ManagementFactory.getPlatformMBeanServer().isRegistered(
                new ObjectName("kafka.consumer:type=consumer-metrics,client-id=streamscribe-audio-reader-0"));
    }

    private static AudioReader reader(Map<String, Object> consumerProps) {
        return new AudioReader(consumerProps, "audio", (topic, bytes) -> null, 1);
    }

    @Test
    void theReadersConsumersRegisterNoMetricsMBeansByDefault() throws Exception {
        try (AudioReader ignored = reader(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, NEVER_DIALLED))) {
            assertFalse(metricsMBeanRegistered());
        }
    }

    @Test
    void aMetricsReporterTheOperatorConfiguredIsKept() throws Exception {
        try (AudioReader ignored = reader(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, NEVER_DIALLED,
                ConsumerConfig.METRIC_REPORTER_CLASSES_CONFIG, JmxReporter.class.getName()))) {
            assertTrue(metricsMBeanRegistered());
        }
    }
}
