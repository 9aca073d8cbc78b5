package dev.streamscribe.topology;

import dev.streamscribe.avro.DeadLetter;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The one way the pipeline builds a {@link DeadLetter}: about one input record (where it came from, and its key),
 * about an undecodable input record (its bytes as received, since they cannot be read), or about a session run
 * (no single record: the session's run and attempt).
 */
final class DeadLetters {
    private DeadLetters() {
    }

    /** Where a rejected record was read; {@link #NONE} when the letter is about a session, not one record. */
    record Source(Optional<String> topic, int partition, long offset) {
        static final Source NONE = new Source(Optional.empty(), -1, -1);

        static Source of(String topic, int partition, long offset) {
            return new Source(Optional.of(topic), partition, offset);
        }
    }

    /** A record that was read but refused (a malformed chunk, a conflicting config, ...). */
    static DeadLetter forRecord(String reason, String message, Optional<String> sessionId, Optional<String> key,
                                Source source, long nowMs) {
        return base(reason, message, source, nowMs)
                .setOriginalKey(key.map(k -> ByteBuffer.wrap(k.getBytes(StandardCharsets.UTF_8))).orElse(null))
                .setSessionId(sessionId.orElse(null))
                .build();
    }

    /** A record that could not be decoded at all: its bytes as received, so it can be repaired and republished. */
    static DeadLetter forUndecodable(String reason, String message, ConsumerRecord<byte[], byte[]> record,
                                     String exceptionClass, long nowMs) {
        return base(reason, message, Source.of(record.topic(), record.partition(), record.offset()), nowMs)
                .setOriginalKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setOriginalValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setSessionId(record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8))
                .setExceptionClass(exceptionClass)
                .build();
    }

    /** A record a processor failed on: where it came from, its key, and (a bounded part of) its value. */
    static DeadLetter forProcessingFailure(String reason, String message, String topic, int partition, long offset,
                                           byte[] key, byte[] value, String exceptionClass, long nowMs) {
        return forRecordBytes(reason, message, Source.of(topic, partition, offset), key, value, exceptionClass, nowMs);
    }

    /** A record (read, or about to be written) with its key and a bounded part of its value, from {@code source}. */
    static DeadLetter forRecordBytes(String reason, String message, Source source, byte[] key, byte[] value,
                                     String exceptionClass, long nowMs) {
        return base(reason, message, source, nowMs)
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setSessionId(key == null ? null : new String(key, StandardCharsets.UTF_8))
                .setExceptionClass(exceptionClass)
                .build();
    }

    /** A session run that failed or was refused as a whole. */
    static DeadLetter forRun(String reason, String message, String sessionId, String runToken, int attempt,
                             long nowMs) {
        return base(reason, message, Source.NONE, nowMs)
                .setSessionId(sessionId).setRunToken(runToken).setAttempt(attempt)
                .build();
    }

    private static DeadLetter.Builder base(String reason, String message, Source source, long nowMs) {
        return DeadLetter.newBuilder().setReasonCode(reason).setMessage(message)
                .setSourceTopic(source.topic().orElse(null)).setSourcePartition(source.partition())
                .setSourceOffset(source.offset()).setOccurredAtMs(nowMs);
    }
}
