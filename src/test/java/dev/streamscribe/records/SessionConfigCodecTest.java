package dev.streamscribe.records;

import dev.streamscribe.avro.SessionConfig;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configs kept in state are read whatever released schema wrote them, without a registry. */
class SessionConfigCodecTest {
    @Test
    void everyReleaseInTheIndexIsBundledAndParses() {
        assertTrue(SessionConfigCodec.releases().contains("0.1.0"));
        for (String release : SessionConfigCodec.releases()) {
            assertEquals("SessionConfig", SessionConfigCodec.releaseSchema(release).getName(), release);
        }
    }

    @Test
    void aConfigRoundTrips() {
        for (SessionConfig config : UpgradeFixtures.all()) {
            assertEquals(config, SessionConfigCodec.decode(SessionConfigCodec.encode(config)));
        }
    }

    @Test
    void aConfigWrittenWithAnOlderSchemaIsReadWithTheDefaultsOfFieldsAddedSince() {
        // the older schema: this build's without a field that has a default, as if this build had added it
        Schema current = SessionConfig.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        current.getFields().stream().filter(f -> !f.name().equals("createdAtMs"))
                .forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        Schema older = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
        SessionConfig config = UpgradeFixtures.transcriptionOnly();
        GenericRecord old = new GenericData.Record(older);
        older.getFields().forEach(f -> old.put(f.name(), config.get(current.getField(f.name()).pos())));
        byte[] bytes = encode(old, older);

        SchemaStore.Cache releases = new SchemaStore.Cache();
        releases.addSchema(older);
        SessionConfig read = new SessionConfigCodec(releases).read(bytes);
        assertEquals(config.getTranscription(), read.getTranscription());
        assertEquals(0L, read.getCreatedAtMs(), "the added field has its default");

        UncheckedIOException unknown = assertThrows(UncheckedIOException.class,
                () -> new SessionConfigCodec(new SchemaStore.Cache()).read(bytes));
        assertTrue(unknown.getMessage().contains("releases known"), unknown.getMessage());
    }

    @Test
    void theReleasedSchemasAndThisBuildsAreAllKnown() {
        List<Long> known = SessionConfigCodec.knownFingerprints();
        assertTrue(known.contains(SchemaNormalization.parsingFingerprint64(SessionConfig.getClassSchema())));
        assertEquals(SessionConfigCodec.releases().size() + 1, known.size());
    }

    private static byte[] encode(GenericRecord record, Schema schema) {
        try {
            ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
