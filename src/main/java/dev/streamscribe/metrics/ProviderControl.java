package dev.streamscribe.metrics;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Operators' commands to every instance of an application, through its control topic
 * ({@code <application.id>-control}): today one, {@code resume-provider}, which ends a pause of admission that an
 * exhausted quota caused. {@link #send} writes a command; {@link #listen} follows the topic from its end on a thread
 * of its own and hands each resume to the gate, with the time it was issued (a pause that began later stands).
 *
 * <p>Threading: the listener's consumer is confined to its own thread; {@link #close} wakes it and waits for it.
 */
public final class ProviderControl implements AutoCloseable {
    /** The key of a resume command. */
    public static final String RESUME_PROVIDER = "resume-provider";
    private static final Logger log = LoggerFactory.getLogger(ProviderControl.class);

    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    private ProviderControl(KafkaConsumer<String, String> consumer, String topic, LongConsumer onResume) {
        this.consumer = consumer;
        this.thread = Thread.ofPlatform().name("provider-control").daemon().unstarted(() -> follow(topic, onResume));
    }

    /**
     * Follows {@code topic} from its end: commands issued before this instance started concern pauses it does not have.
     *
     * @param onResume told the epoch milliseconds at which each {@code resume-provider} was issued
     */
    public static ProviderControl listen(Map<String, Object> clients, String topic, LongConsumer onResume) {
        Map<String, Object> props = new HashMap<>(clients);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamscribe-provider-control");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        ProviderControl control = new ProviderControl(new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer()), topic, onResume);
        control.thread.start();
        return control;
    }

    private void follow(String topic, LongConsumer onResume) {
        try {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                    if (RESUME_PROVIDER.equals(record.key())) {
                        log.info("an operator resumed the provider ({}); a quota pause that began before {} ends",
                                record.value(), record.timestamp());
                        onResume.accept(record.timestamp());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.warn("stopped following the control topic {}: {}; resume-provider will not reach this instance "
                    + "until it restarts", topic, e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Issues {@code resume-provider} to every instance following {@code topic}. */
    public static void sendResume(Map<String, Object> clients, String topic, String issuedBy) {
        Map<String, Object> props = new HashMap<>(clients);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "streamscribe-control");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, RESUME_PROVIDER, "issued by " + issuedBy)).get(30,
                    TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + topic, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to the control topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
