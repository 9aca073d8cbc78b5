package dev.streamscribe.results;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Reads one topic from its beginning with a read_committed consumer that belongs to no group (assign, not
 * subscribe), so reading results never moves anyone's offsets and only records of committed transactions are
 * seen. {@link #caughtUp()} tells when everything that was committed when the reader was created (or last
 * {@link #markEnd() marked}) has been read.
 *
 * <p>Threading: not thread-safe (a Kafka consumer); one thread per reader.
 */
public final class TopicReader<V> implements AutoCloseable {
    private final KafkaConsumer<String, V> consumer;
    private final List<TopicPartition> partitions;
    private Map<TopicPartition, Long> end = Map.of();
    private long undecodable;

    public TopicReader(Map<String, Object> clientProperties, String topic, Deserializer<V> values) {
        this(clientProperties, topic, new StringDeserializer(), values);
    }

    /** A reader of a topic whose keys are not text (a state store's changelog), read as the text {@code keys} make. */
    public TopicReader(Map<String, Object> clientProperties, String topic, Deserializer<String> keys,
                       Deserializer<V> values) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props, keys, values);
        this.partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        markEnd();
    }

    /** Remembers what is committed now: {@link #caughtUp()} is measured against it. */
    public void markEnd() {
        end = new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
    }

    /**
     * Next records, in offset order per partition; may be empty. A record that cannot be decoded (bad input on the
     * configs topic, which the pipeline dead-letters) is stepped over and counted.
     */
    public List<ConsumerRecord<String, V>> poll(Duration timeout) {
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try {
            consumer.poll(timeout).forEach(out::add);
        } catch (RecordDeserializationException e) {
            undecodable++;
            consumer.seek(e.topicPartition(), e.offset() + 1);
        }
        return out;
    }

    /** Records stepped over because they could not be decoded. */
    public long undecodable() {
        return undecodable;
    }

    /** True when every partition's position reached its marked end. */
    public boolean caughtUp() {
        for (TopicPartition partition : partitions) {
            if (consumer.position(partition, Duration.ofSeconds(30)) < end.getOrDefault(partition, 0L)) {
                return false;
            }
        }
        return true;
    }

    /** Reads everything committed now, handing each record to {@code sink}. */
    public void readToEnd(BiConsumer<String, V> sink) {
        markEnd();
        while (!caughtUp()) {
            poll(Duration.ofMillis(200)).forEach(r -> sink.accept(r.key(), r.value()));
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
