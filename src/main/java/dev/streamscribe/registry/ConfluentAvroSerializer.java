package dev.streamscribe.registry;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serializes Avro records (specific or generic) into the Confluent wire format, registering or looking up the
 * writer schema under the TopicNameStrategy subject ({@code <topic>-value} or {@code <topic>-key}).
 *
 * <p>Threading: thread-safe; Kafka Streams shares one instance across the tasks of a stream thread and producers
 * may call it from any thread. Writers are cached per schema in a concurrent map; encoders are per call.
 */
public final class ConfluentAvroSerializer<T extends GenericContainer> implements Serializer<T> {
    private final RegistryClient registry;
    private final boolean isKey;
    private final Map<Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();
    /**
     * The size of the largest record written so far, up to {@link #MAX_SIZE_HINT}: the next record's buffer starts
     * that big. Audio chunks are hundreds of KiB, nearly all of one size: from 256 bytes, each grew its buffer by
     * doubling, copying it every time, and was copied once more at the end (18 of the ingest threads' 80 samples in
     * the bench's throughput profile, second only to the file's SHA-256). Racy on purpose: a stale hint only costs a
     * larger or a growing buffer.
     */
    private volatile int sizeHint = 256;
    private static final int MAX_SIZE_HINT = 1024 * 1024;

    public ConfluentAvroSerializer(RegistryClient registry, boolean isKey) {
        this.registry = registry;
        this.isKey = isKey;
        AvroTrust.install();
    }

    /** TopicNameStrategy: the subject a topic's keys or values are registered under. */
    public static String subjectFor(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        Schema schema = data.getSchema();
        int id = registry.idFor(subjectFor(topic, isKey), schema);
        Output out = new Output(sizeHint);
        ByteBuffer header = ByteBuffer.allocate(ConfluentWireFormat.HEADER_SIZE);
        ConfluentWireFormat.writeHeader(header, id);
        out.writeBytes(header.array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writers.computeIfAbsent(schema, s -> new SpecificDatumWriter<>(s, SpecificData.getForSchema(s)))
                    .write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + schema.getFullName() + " for topic '" + topic
                    + "' (schema id " + id + "): " + e.getMessage(), e);
        }
        byte[] bytes = out.bytes();
        if (bytes.length > sizeHint && bytes.length <= MAX_SIZE_HINT) {
            sizeHint = bytes.length;
        }
        return bytes;
    }

    /** A buffer whose content is handed over as it is when it fills the buffer exactly. */
    private static final class Output extends ByteArrayOutputStream {
        Output(int size) {
            super(size);
        }

        byte[] bytes() {
            return count == buf.length ? buf : toByteArray();
        }
    }
}
