package dev.streamscribe.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record's value cannot be decoded: bad in itself, so it belongs on the dead-letter topic. The message names the
 * topic and, where the header was readable, the schema id; Kafka's deserializer interface does not see the
 * partition and offset, so the Streams exception handler adds them to the DeadLetter it writes.
 * A registry outage is never reported with this type (see {@link SchemaRegistryException.RegistryUnavailableException}).
 */
public final class AvroDeserializationException extends SerializationException {
    /** Why the record could not be decoded; doubles as the DeadLetter reason code. */
    public enum Reason {
        /** Null, empty or shorter than the 5-byte header. */
        TRUNCATED_RECORD,
        /** First byte is not the Confluent magic byte 0x00. */
        WRONG_MAGIC_BYTE,
        /** The registry does not know the schema id in the header (40403). */
        UNKNOWN_SCHEMA_ID,
        /** The writer schema cannot be resolved against the reader schema. */
        INCOMPATIBLE_WRITER_SCHEMA,
        /** The Avro body does not decode with the writer schema (corrupt or truncated body). */
        CORRUPT_AVRO
    }

    private final Reason reason;
    private final String topic;
    private final int schemaId;

    public AvroDeserializationException(Reason reason, String topic, int schemaId, String detail, Throwable cause) {
        super(reason + " in record from topic '" + topic + "'" + (schemaId >= 0 ? " (schema id " + schemaId + ")" : "")
                + ": " + detail, cause);
        this.reason = reason;
        this.topic = topic;
        this.schemaId = schemaId;
    }

    public Reason reason() {
        return reason;
    }

    public String topic() {
        return topic;
    }

    /** The schema id from the header, or -1 when the header could not be read. */
    public int schemaId() {
        return schemaId;
    }
}
