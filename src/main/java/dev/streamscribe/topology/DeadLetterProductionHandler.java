package dev.streamscribe.topology;

import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.registry.SchemaRegistryException.RegistryUnavailableException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What happens to an output record that cannot be written (too large for the broker, a serializer that fails on it):
 * <ul>
 *   <li>a retriable send error is retried;</li>
 *   <li>a transcription or response event becomes a DeadLetter (PRODUCTION_FAILED or SERIALIZATION_FAILED: the
 *   topic, the exception, the input record it came from when there is one, and at most 4 KiB of the record) written
 *   in the same transaction, and processing goes on: one bad event costs that event, not the session's result;</li>
 *   <li>a SessionResult, a dead letter or a state change is never dropped: the thread fails, the transaction aborts
 *   and nothing is lost (the bounded thread replacement then decides); so does a registry outage that outlasted the
 *   serializer's wait, which no later record would survive either.</li>
 * </ul>
 *
 * <p>Threading: called on stream threads; stateless after {@link #configure}.
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {
    /** Config key: the session-results topic, whose records are never dropped. */
    public static final String RESULTS_TOPIC_CONFIG = "streamscribe.results.topic";
    private static final Logger log = LoggerFactory.getLogger(DeadLetterProductionHandler.class);

    private String deadLetterTopic;
    private String resultsTopic;
    private Serializer<DeadLetter> serializer;

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs) {
        deadLetterTopic = (String) configs.get(DeadLetterProcessingHandler.TOPIC_CONFIG);
        resultsTopic = (String) configs.get(RESULTS_TOPIC_CONFIG);
        serializer = (Serializer<DeadLetter>) configs.get(DeadLetterProcessingHandler.SERIALIZER_CONFIG);
        if (deadLetterTopic == null || resultsTopic == null || serializer == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " needs " + DeadLetterProcessingHandler.TOPIC_CONFIG
                    + ", " + RESULTS_TOPIC_CONFIG + " and " + DeadLetterProcessingHandler.SERIALIZER_CONFIG);
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RetriableException) {
            return Response.retry();
        }
        if (!mayBeDropped(record.topic())) {
            log.error("a record for {} cannot be written ({}): failing the stream thread so that the transaction aborts "
                    + "and nothing is lost", record.topic(), exception.toString());
            return Response.fail();
        }
        byte[] value = record.value();
        byte[] kept = value == null ? null : Arrays.copyOf(value, Math.min(value.length, DeadLetterProcessingHandler.MAX_VALUE_BYTES));
        String message = "a record for topic " + record.topic() + (value == null ? "" : " (" + value.length + " bytes)")
                + " could not be written: " + describe(exception);
        return deadLetter(context, "PRODUCTION_FAILED", message, record.key(), kept, exception);
    }

    @Override
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        if (registryOutage(exception) || !mayBeDropped(record.topic())) {
            log.error("a record for {} cannot be serialized ({}): failing the stream thread so that the transaction aborts "
                    + "and nothing is lost", record.topic(), exception.toString());
            return Response.fail();
        }
        String shown = String.valueOf(record.value());
        byte[] kept = shown.getBytes(StandardCharsets.UTF_8);
        kept = Arrays.copyOf(kept, Math.min(kept.length, DeadLetterProcessingHandler.MAX_VALUE_BYTES));
        String message = "the " + origin.name().toLowerCase(Locale.ROOT) + " of a record for topic " + record.topic()
                + " could not be serialized: " + describe(exception) + " (the record's text form is kept)";
        byte[] key = record.key() == null ? null : String.valueOf(record.key()).getBytes(StandardCharsets.UTF_8);
        return deadLetter(context, "SERIALIZATION_FAILED", message, key, kept, exception);
    }

    /** Transcription and response events may be replaced by a dead letter; results, dead letters and state may not. */
    private boolean mayBeDropped(String topic) {
        return !topic.equals(resultsTopic) && !topic.equals(deadLetterTopic) && !topic.endsWith("-changelog");
    }

    private static boolean registryOutage(Throwable exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof RegistryUnavailableException) {
                return true;
            }
        }
        return false;
    }

    private Response deadLetter(ErrorHandlerContext context, String reason, String message, byte[] key, byte[] kept,
                                Exception exception) {
        // the input record it came from; none when a punctuation wrote it (the drain writes what sessions produced)
        DeadLetters.Source source = context.topic() != null && context.offset() >= 0
                ? DeadLetters.Source.of(context.topic(), context.partition(), context.offset()) : DeadLetters.Source.NONE;
        DeadLetter letter = DeadLetters.forRecordBytes(reason, message, source, key, kept, exception.getClass().getName(),
                System.currentTimeMillis());
        log.warn("dead letter {}: {}", reason, message);
        return Response.resume(List.of(new ProducerRecord<>(deadLetterTopic, null, context.timestamp(), key,
                serializer.serialize(deadLetterTopic, letter))));
    }

    private static String describe(Exception exception) {
        return exception.getClass().getName() + (exception.getMessage() == null ? "" : ": " + exception.getMessage());
    }
}
