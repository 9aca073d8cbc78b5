package dev.streamscribe.topology;

import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.registry.AvroDeserializationException;
import dev.streamscribe.registry.SchemaRegistryException.RegistryUnavailableException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Routes input that cannot be decoded to the dead-letter topic through Kafka Streams' own dead-letter support
 * (KIP-1034): the handler returns the DeadLetter record and Streams writes it, inside the transaction under
 * exactly-once. Only records that are bad in themselves go there (wrong magic byte, truncated or corrupt Avro, a
 * schema id the registry does not know). A registry that is down or answers 5xx is an outage, not bad data: the
 * serdes ride out outages up to their budget with backoff; a longer one reaches this handler, which waits a
 * little and fails the stream thread, which is replaced and reads the same record again, so good records are
 * never dead-lettered.
 *
 * <p>Threading: called on stream threads; holds no mutable state but the outage backoff counter, which is atomic.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
    /** Config key: the dead-letter topic. */
    public static final String TOPIC_CONFIG = "streamscribe.dead-letter.topic";
    /** Config key: a {@code Serializer<DeadLetter>} instance. */
    public static final String SERIALIZER_CONFIG = "streamscribe.dead-letter.serializer";
    private static final Logger log = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private final AtomicInteger outages = new AtomicInteger();
    private String topic;
    private Serializer<DeadLetter> serializer;

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs) {
        topic = (String) configs.get(TOPIC_CONFIG);
        serializer = (Serializer<DeadLetter>) configs.get(SERIALIZER_CONFIG);
        if (topic == null || serializer == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " needs " + TOPIC_CONFIG + " and " + SERIALIZER_CONFIG);
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        Throwable cause = exception;
        while (cause != null && !(cause instanceof RegistryUnavailableException) && !(cause instanceof AvroDeserializationException)
                && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof RegistryUnavailableException outage) {
            int count = outages.incrementAndGet();
            long waitMs = Math.min(30_000, 500L << Math.min(6, count));
            log.warn("schema registry unavailable while reading {}-{}@{} ({}); retrying the record in {} ms",
                    record.topic(), record.partition(), record.offset(), outage.getMessage(), waitMs);
            try {
                Thread.sleep(waitMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Response.fail();
        }
        outages.set(0);
        String reason = cause instanceof AvroDeserializationException avro ? avro.reason().name() : "UNDECODABLE_RECORD";
        DeadLetter letter = DeadLetters.forUndecodable(reason,
                exception.getMessage() == null ? exception.getClass().getName() : exception.getMessage(), record,
                cause == null ? exception.getClass().getName() : cause.getClass().getName(), System.currentTimeMillis());
        log.info("dead letter {} for {}-{}@{}", reason, record.topic(), record.partition(), record.offset());
        return Response.resume(List.of(new ProducerRecord<>(topic, null, record.timestamp(), record.key(),
                serializer.serialize(topic, letter))));
    }
}
