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
     * Acknowledged by every replica; large batches for 256 KiB chunks (docs/architecture.md section 8); idempotent, so
     * a retried send neither duplicates nor reorders a session's records (the producer contract asks it of every
     * producer; the assembler would drop a duplicate by seq and content anyway). Topics are created before the first
     * send with every partition's leader awaited ({@code PipelineTopics.prepare}): an idempotent producer writing
     * into a partition whose leader was not yet elected was seen to loop on OutOfOrderSequence on a single broker.
     *
     * @param clientProperties bootstrap.servers and any {@code kafka.*} overrides
     */
    public static Producer<byte[], byte[]> create(Map<String, Object> clientProperties) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "streamscribe-ingest");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
