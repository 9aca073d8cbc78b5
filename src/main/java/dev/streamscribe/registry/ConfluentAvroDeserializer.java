package dev.streamscribe.registry;

import dev.streamscribe.registry.AvroDeserializationException.Reason;
import dev.streamscribe.registry.SchemaRegistryException.SchemaNotFoundException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decodes Confluent wire-format records with schema resolution: the writer schema comes from the registry by the
 * id in the header, the reader schema is fixed (a generated class's, or one given), so a consumer built with a
 * newer schema reads older records.
 *
 * <p>Failures: bad bytes raise {@link AvroDeserializationException} with a {@link Reason} (dead-letter material);
 * a registry outage raises {@link SchemaRegistryException.RegistryUnavailableException} unchanged (retry, never
 * dead-letter). Never a NullPointerException, never a hang: registry calls are bounded by its timeout.
 *
 * <p>Threading: thread-safe. Datum readers are cached per writer schema id in a concurrent map; Avro's readers
 * are safe for concurrent use, decoders are per call.
 */
public final class ConfluentAvroDeserializer<T> implements Deserializer<T> {
    private final RegistryClient registry;
    private final Schema readerSchema;
    private final GenericData model;
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

    private ConfluentAvroDeserializer(RegistryClient registry, Schema readerSchema, GenericData model) {
        this.registry = registry;
        this.readerSchema = readerSchema;
        this.model = model;
        AvroTrust.install();
    }

    /** Decodes into a generated SpecificRecord class. */
    public static <T extends SpecificRecord> ConfluentAvroDeserializer<T> forSpecific(RegistryClient registry,
                                                                                     Class<T> type) {
        SpecificData data = SpecificData.getForClass(type);
        return new ConfluentAvroDeserializer<>(registry, data.getSchema(type), data);
    }

    /** Decodes into GenericRecords shaped by {@code readerSchema}. */
    public static ConfluentAvroDeserializer<GenericRecord> forGeneric(
            RegistryClient registry, Schema readerSchema) {
        return new ConfluentAvroDeserializer<>(registry, readerSchema, GenericData.get());
    }

    public Schema readerSchema() {
        return readerSchema;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null; // a tombstone, not an error
        }
        int id = ConfluentWireFormat.schemaId(topic, data);
        DatumReader<T> reader = readerFor(topic, id);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, ConfluentWireFormat.HEADER_SIZE,
                data.length - ConfluentWireFormat.HEADER_SIZE, null);
        try {
            T value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new AvroDeserializationException(Reason.CORRUPT_AVRO, topic, id,
                        "trailing bytes after the record", null);
            }
            return value;
        } catch (EOFException e) {
            throw new AvroDeserializationException(Reason.CORRUPT_AVRO, topic, id,
                    "body ends early (" + data.length + " bytes in all)", e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof AvroDeserializationException known) {
                throw known;
            }
            throw new AvroDeserializationException(Reason.CORRUPT_AVRO, topic, id,
                    "body does not decode as " + readerSchema.getFullName() + ": " + e, e);
        }
    }

    private DatumReader<T> readerFor(String topic, int id) {
        DatumReader<T> cached = readers.get(id);
        if (cached != null) {
            return cached;
        }
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (SchemaNotFoundException e) {
            throw new AvroDeserializationException(Reason.UNKNOWN_SCHEMA_ID, topic, id,
                    "the registry has no schema with this id", e);
        }
        DatumReader<T> reader = model instanceof SpecificData specific
                ? new SpecificDatumReader<>(writer, readerSchema, specific)
                : new GenericDatumReader<>(writer, readerSchema, model);
        // Resolution errors would otherwise surface mid-decode as a vague AvroTypeException; check up front.
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new AvroDeserializationException(Reason.INCOMPATIBLE_WRITER_SCHEMA, topic, id,
                    "writer schema " + writer.getFullName() + " cannot be read as " + readerSchema.getFullName()
                            + ": " + compatibility.getDescription(), null);
        }
        readers.putIfAbsent(id, reader);
        return reader;
    }
}
