package dev.streamscribe.topology;

import dev.streamscribe.avro.DeadLetter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A record that a processor cannot process becomes a DeadLetter (reason PROCESSING_FAILED, the exception, where the
 * record came from, and at most {@link #MAX_VALUE_BYTES} of its bytes, never audio) written by Kafka Streams inside
 * the transaction (KIP-1034), and processing goes on with the next record: one bad record costs that record, not
 * the stream thread and the sessions in flight on it. A failure outside any input record (a punctuation) is not
 * resumed: it would fail again on the next tick, so it fails the thread, which the bounded replacement handles.
 *
 * <p>Threading: called on stream threads; stateless after {@link #configure}.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {
    /** Config key: the dead-letter topic (shared with {@link DeadLetterDeserializationHandler}). */
    public static final String TOPIC_CONFIG = DeadLetterDeserializationHandler.TOPIC_CONFIG;
    /** Config key: a {@code Serializer<DeadLetter>} instance (shared with {@link DeadLetterDeserializationHandler}). */
    public static final String SERIALIZER_CONFIG = DeadLetterDeserializationHandler.SERIALIZER_CONFIG;
    /** Config key: the audio topic's name; its records' bytes are never copied into a dead letter. */
    public static final String AUDIO_TOPIC_CONFIG = "streamscribe.audio.topic";
    /** At most this much of a record's value is kept, enough to see what it was. */
    static final int MAX_VALUE_BYTES = 4 * 1024;
    private static final Logger log = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

    private String topic;
    private String audioTopic;
    private Serializer<DeadLetter> serializer;

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs) {
        topic = (String) configs.get(TOPIC_CONFIG);
        audioTopic = (String) configs.get(AUDIO_TOPIC_CONFIG);
        serializer = (Serializer<DeadLetter>) configs.get(SERIALIZER_CONFIG);
        if (topic == null || audioTopic == null || serializer == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " needs " + TOPIC_CONFIG + ", "
                    + AUDIO_TOPIC_CONFIG + " and " + SERIALIZER_CONFIG);
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (context.topic() == null || context.offset() < 0) {
            log.error("processor {} failed outside any input record: failing the stream thread", context.processorNodeId(),
                    exception);
            return Response.fail();
        }
        byte[] key = context.sourceRawKey();
        byte[] value = context.sourceRawValue();
        byte[] kept = value == null || context.topic().equals(audioTopic) ? null
                : Arrays.copyOf(value, Math.min(value.length, MAX_VALUE_BYTES));
        String message = "processor " + context.processorNodeId() + " failed on this record: "
                + exception.getClass().getName() + (exception.getMessage() == null ? "" : ": " + exception.getMessage())
                + (value != null && kept != null && kept.length < value.length
                ? " (first " + kept.length + " of " + value.length + " bytes kept)" : "");
        DeadLetter letter = DeadLetters.forProcessingFailure("PROCESSING_FAILED", message, context.topic(),
                context.partition(), context.offset(), key, kept, exception.getClass().getName(), System.currentTimeMillis());
        log.warn("dead letter PROCESSING_FAILED for {}-{}@{}: {}", context.topic(), context.partition(), context.offset(),
                message);
        return Response.resume(List.of(new ProducerRecord<>(topic, null, context.timestamp(), key,
                serializer.serialize(topic, letter))));
    }
}
