package dev.streamscribe.metrics;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Publishes this instance's state and conditions (the lines of its {@code /health}) to the compacted
 * instance-status topic, keyed by instance, so that {@code status}, run anywhere, can show what each instance is
 * waiting for. Checked every 5 s, written when something changed and at least every 30 s (a heartbeat: {@code status}
 * tells a silent instance from a quiet one); a graceful stop deletes the instance's entry (a tombstone).
 *
 * <p>Threading: its own scheduler thread reads the suppliers (which must be thread-safe) and writes with a plain,
 * non-transactional producer: this is a report about the instance, not part of any exactly-once output.
 */
public final class InstanceStatusPublisher implements AutoCloseable {
    static final Duration CHECK_EVERY = Duration.ofSeconds(5);
    static final Duration HEARTBEAT = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(InstanceStatusPublisher.class);

    private final Producer<String, String> producer;
    private final String topic;
    private final String instance;
    private final Supplier<String> state;
    private final Supplier<List<String>> conditions;
    private final ScheduledExecutorService scheduler;
    private InstanceStatus lastSent;

    private InstanceStatusPublisher(Producer<String, String> producer, String topic, String instance,
                                    Supplier<String> state, Supplier<List<String>> conditions) {
        this.producer = producer;
        this.topic = topic;
        this.instance = instance;
        this.state = state;
        this.conditions = conditions;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("instance-status").daemon().factory());
    }

    /**
     * Starts publishing.
     *
     * @param clients bootstrap servers and the {@code kafka.*} client settings
     */
    public static InstanceStatusPublisher start(Map<String, Object> clients, String topic, String instance,
                                                Supplier<String> state, Supplier<List<String>> conditions) {
        Map<String, Object> props = new HashMap<>(clients);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "streamscribe-instance-status");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        InstanceStatusPublisher publisher = new InstanceStatusPublisher(
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer()), topic, instance, state,
                conditions);
        publisher.scheduler.scheduleWithFixedDelay(publisher::tick, 0, CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return publisher;
    }

    private void tick() {
        try {
            InstanceStatus now = new InstanceStatus(instance, state.get(), conditions.get(), System.currentTimeMillis());
            boolean changed = lastSent == null || !lastSent.state().equals(now.state())
                    || !lastSent.conditions().equals(now.conditions());
            if (changed || now.updatedAtMs() - lastSent.updatedAtMs() >= HEARTBEAT.toMillis()) {
                producer.send(new ProducerRecord<>(topic, instance, now.toJson()));
                lastSent = now;
            }
        } catch (RuntimeException e) {
            log.warn("cannot publish this instance's status to {}: {}", topic, e.toString()); // next tick tries again
        }
    }

    /** Stops publishing and removes this instance's entry. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(topic, instance, null));
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("cannot remove this instance's status from {}: {}", topic, e.toString());
        } finally {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
