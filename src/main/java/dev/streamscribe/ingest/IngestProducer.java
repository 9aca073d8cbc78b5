package dev.streamscribe.ingest;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.HashMap;
import java.util.Map;

/** The producer that writes sessions (ingest, replay, bench). */
public final class IngestProducer {
    private IngestProducer() {
    }

    /**
     * Acknowledged by every replica; large batches for 256 KiB chunks (docs/architecture.md section 8); not idempotent, because
     * a retried send can only duplicate a chunk, which the assembler drops by (seq, digest), while an idempotent
     * producer writing into a partition created moments before could loop on OutOfOrderSequence on a single broker.
     *
     * @param clientProperties bootstrap.servers and any {@code kafka.*} overrides
     */
    public static Producer<byte[], byte[]> create(Map<String, Object> clientProperties) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "streamscribe-ingest");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
