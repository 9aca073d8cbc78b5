package dev.streamscribe.registry;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.registry.AvroDeserializationException.Reason;
import dev.streamscribe.testing.SampleRecords;
import dev.streamscribe.testing.SharedInfrastructure;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The serde against the real registry: wire format, bad bytes, schema resolution. */
class ConfluentAvroSerdeIT {
    private final SchemaRegistryClient registry = SharedInfrastructure.registry().client();
    private final String topic = "serde-it-" + UUID.randomUUID();
    private final ConfluentAvroSerializer<SessionConfig> serializer = new ConfluentAvroSerializer<>(registry, false);
    private final ConfluentAvroDeserializer<SessionConfig> deserializer =
            ConfluentAvroDeserializer.forSpecific(registry, SessionConfig.class);

    @Test
    void shouldFrameValuesWithMagicByteAndTheRegistrysSchemaId() {
        SessionConfig config = SampleRecords.sessionConfig("s1");
        byte[] bytes = serializer.serialize(topic, config);
        assertEquals(0, bytes[0]);
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        int registered = registry.lookup(topic + "-value", SessionConfig.getClassSchema()).orElseThrow();
        assertEquals(registered, id);
        assertEquals(SessionConfig.getClassSchema(), SharedInfrastructure.registry().client().schemaById(id));
        assertEquals(config, deserializer.deserialize(topic, bytes));
    }

    @Test
    void shouldPassTombstonesThroughAsNull() {
        assertNull(serializer.serialize(topic, null));
        assertNull(deserializer.deserialize(topic, null));
    }

    @Test
    void shouldRejectAWrongMagicByteNamingTheTopic() {
        byte[] bytes = serializer.serialize(topic, SampleRecords.sessionConfig("s2"));
        bytes[0] = 1;
        AvroDeserializationException e = assertThrows(AvroDeserializationException.class,
                () -> deserializer.deserialize(topic, bytes));
        assertEquals(Reason.WRONG_MAGIC_BYTE, e.reason());
        assertTrue(e.getMessage().contains(topic) && e.getMessage().contains("0x01"), e.getMessage());
    }

    @Test
    void shouldRejectARecordShorterThanTheHeader() {
        AvroDeserializationException e = assertThrows(AvroDeserializationException.class,
                () -> deserializer.deserialize(topic, new byte[]{0, 0, 1}));
        assertEquals(Reason.TRUNCATED_RECORD, e.reason());
        assertTrue(e.getMessage().contains("3 bytes"), e.getMessage());
    }

    @Test
    void shouldRejectATruncatedBodyNamingTheSchemaId() {
        byte[] bytes = serializer.serialize(topic, SampleRecords.sessionConfig("s3"));
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 10);
        AvroDeserializationException e = assertThrows(AvroDeserializationException.class,
                () -> deserializer.deserialize(topic, truncated));
        assertEquals(Reason.CORRUPT_AVRO, e.reason());
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertTrue(e.getMessage().contains("schema id " + id), e.getMessage());
    }

    @Test
    void shouldRejectGarbageAfterAValidHeader() {
        byte[] bytes = serializer.serialize(topic, SampleRecords.sessionConfig("s4"));
        byte[] garbage = new byte[bytes.length];
        System.arraycopy(bytes, 0, garbage, 0, 5);
        Arrays.fill(garbage, 5, garbage.length, (byte) 0xFF);
        AvroDeserializationException e = assertThrows(AvroDeserializationException.class,
                () -> deserializer.deserialize(topic, garbage));
        assertEquals(Reason.CORRUPT_AVRO, e.reason());
    }

    @Test
    void shouldRejectAnUnknownSchemaId() {
        byte[] bytes = serializer.serialize(topic, SampleRecords.sessionConfig("s5"));
        ByteBuffer.wrap(bytes).putInt(1, 1_234_567);
        AvroDeserializationException e = assertThrows(AvroDeserializationException.class,
                () -> deserializer.deserialize(topic, bytes));
        assertEquals(Reason.UNKNOWN_SCHEMA_ID, e.reason());
        assertTrue(e.getMessage().contains("schema id 1234567"), e.getMessage());
    }

    @Test
    void shouldRejectAWriterSchemaTheReaderCannotResolve() {
        Schema unrelated = SchemaBuilder.record("SessionConfig").namespace("dev.streamscribe.avro").fields()
                .requiredLong("somethingElse").endRecord();
        GenericRecord record = new GenericData.Record(unrelated);
        record.put("somethingElse", 5L);
        String otherTopic = topic + "-unrelated";
        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry, false).serialize(otherTopic, record);
        AvroDeserializationException e = assertThrows(AvroDeserializationException.class,
                () -> deserializer.deserialize(otherTopic, bytes));
        assertEquals(Reason.INCOMPATIBLE_WRITER_SCHEMA, e.reason());
    }

    @Test
    void shouldReadOldRecordsWithANewerReaderSchema() {
        Schema v1 = SchemaRegistryClientIT.v1();
        Schema v2 = SchemaRegistryClientIT.v2WithDefault();
        GenericRecord old = new GenericData.Record(v1);
        old.put("id", "r-1");
        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry, false).serialize(topic, old);
        GenericRecord read = ConfluentAvroDeserializer.forGeneric(registry, v2).deserialize(topic, bytes);
        assertEquals("r-1", read.get("id").toString());
        assertEquals("celsius", read.get("unit").toString());
    }
}
