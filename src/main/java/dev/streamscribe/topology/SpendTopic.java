package dev.streamscribe.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamscribe.cost.SpendLedger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The spend topic ({@code <application.id>-spend}, one partition, compacted): where every incarnation of every
 * instance publishes its running total per budget period ({@link SpendLedger.Entry}, key {@code period/incarnation},
 * a JSON value), and from which each learns the others'. Written outside the Streams transactions on purpose: a
 * call is spent when the provider bills it, whether or not its outcome is ever committed. {@link #start} reads the
 * topic to its end before admission opens (an instance restarted after the budget was spent does not admit
 * anything), then follows it on a thread of its own.
 *
 * <p>Threading: the producer is thread-safe (sends from session threads); the consumer is confined to the
 * follower thread; {@link #close} wakes it and waits for it.
 */
public final class SpendTopic implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SpendTopic.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FORMAT = 1;

    private final String topic;
    private final String instance;
    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, String> consumer;
    private final Thread follower;
    private volatile SpendLedger ledger;
    private volatile boolean running = true;

    private SpendTopic(Map<String, Object> clients, String topic, String instance) {
        this.topic = topic;
        this.instance = instance;
        Map<String, Object> producerProps = new HashMap<>(clients);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "streamscribe-spend-" + instance);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());
        Map<String, Object> consumerProps = new HashMap<>(clients);
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamscribe-spend-reader-" + instance);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer());
        this.follower = Thread.ofPlatform().name("spend-topic").daemon().unstarted(this::follow);
    }

    /** Creates {@code config}'s spend topic when missing and connects to it; reads nothing yet. */
    static SpendTopic prepare(dev.streamscribe.config.PipelineConfig config, String instance) {
        PipelineTopics.prepareSpend(config);
        return connect(PipelineTopics.clientProperties(config), PipelineTopics.spendTopic(config), instance);
    }

    /** Connects to {@code topic} (created beforehand, {@link PipelineTopics#prepareSpend}); reads nothing yet. */
    public static SpendTopic connect(Map<String, Object> clients, String topic, String instance) {
        return new SpendTopic(clients, topic, instance);
    }

    /** Publishes one of this incarnation's totals; never blocks (a failed send is logged: the next one supersedes it). */
    public void publish(SpendLedger.Entry entry) {
        producer.send(new ProducerRecord<>(topic, 0, entry.key(), encode(entry, instance)), (metadata, error) -> {
            if (error != null) {
                log.warn("could not record spend {} {} on {}: {}; the next charge records the total again",
                        entry.key(), entry.amount(), topic, error.toString());
            }
        });
    }

    /** Reads every entry up to the topic's end into {@code ledger}, then follows the topic on its own thread. */
    public void start(SpendLedger ledger) {
        this.ledger = ledger;
        TopicPartition partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
        int read = 0;
        while (consumer.position(partition, Duration.ofSeconds(30)) < end) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                observe(record);
                read++;
            }
        }
        log.info("spend so far in period {}: {} {} ({} entries read from {})", ledger.period(System.currentTimeMillis()),
                ledger.currency(), ledger.spent(System.currentTimeMillis()), read, topic);
        follower.start();
    }

    private void follow() {
        try {
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                    observe(record);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.warn("stopped following the spend topic {}: {}; other instances' spend is not counted here until a "
                    + "restart", topic, e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void observe(ConsumerRecord<String, String> record) {
        decode(record.key(), record.value()).ifPresent(entry -> ledger.observe(entry, System.currentTimeMillis()));
    }

    static String encode(SpendLedger.Entry entry, String instance) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("format", FORMAT);
        value.put("amount", entry.amount());
        value.put("currency", entry.currency());
        value.put("instance", instance);
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write a spend entry", e);
        }
    }

    /** An entry from a record of the topic; empty (logged) for one this build cannot read. */
    static Optional<SpendLedger.Entry> decode(String key, String value) {
        int slash = key == null ? -1 : key.indexOf('/');
        if (slash <= 0 || value == null) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(value);
            if (node.path("format").asInt() != FORMAT || !node.path("amount").isNumber()) {
                log.warn("spend entry {} of another format ({}): not counted", key, value);
                return Optional.empty();
            }
            return Optional.of(new SpendLedger.Entry(key.substring(0, slash), key.substring(slash + 1),
                    node.path("amount").asDouble(), node.path("currency").asText()));
        } catch (Exception e) {
            log.warn("unreadable spend entry {}: {}", key, e.toString());
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        running = false;
        producer.close(Duration.ofSeconds(10)); // what was charged before the stop is recorded
        consumer.wakeup();
        try {
            if (follower.isAlive()) {
                follower.join(10_000);
            } else {
                consumer.close(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
