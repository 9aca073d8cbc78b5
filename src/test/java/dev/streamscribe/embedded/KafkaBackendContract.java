package dev.streamscribe.embedded;

import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.testing.KafkaFixture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What every {@link KafkaFixture} backend must do for our tests: transactions on a single node (exactly-once
 * depends on it), and read_committed consumers that see committed records and never aborted ones.
 */
abstract class KafkaBackendContract {
    protected abstract KafkaFixture kafka();

    @Test
    void shouldExposeCommittedTransactionsAndHideAbortedOnes() {
        String topic = "contract-" + UUID.randomUUID();
        kafka().createTopics(topic);
        Map<String, Object> producerProps = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "contract-" + UUID.randomUUID(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed"));
            producer.commitTransaction();
        }
        assertEquals(List.of("committed"), readCommitted(topic));
    }

    /** Everything a read_committed reader sees now: the transactions above are finished, so that is all of it. */
    private List<String> readCommitted(String topic) {
        try (var watcher = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", kafka().bootstrapServers()),
                topic, new StringDeserializer())) {
            return watcher.readToEnd().values().stream().flatMap(List::stream).toList();
        }
    }
}
