package dev.streamscribe.schema;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public contract of every topic evolves BACKWARD-compatibly: each schema in {@code schemas/} reads data
 * written by its latest released version (src/main/resources/schema-history/), every field added since has a
 * default, and every type and field is documented.
 */
class SchemaEvolutionTest {
    static final Path SCHEMAS = Path.of(System.getProperty("streamscribe.project.dir", ".")).resolve("schemas");
    static final Path HISTORY = Path.of(System.getProperty("streamscribe.project.dir", "."))
            .resolve("src/main/resources/schema-history");
    static final List<String> TOPIC_RECORDS = List.of("SessionConfig", "AudioChunk", "TranscriptionEvent",
            "ResponseEvent", "SessionResult", "DeadLetter");

    private final Map<String, Schema> current = AvroSchemaFiles.parse(SCHEMAS);

    @Test
    void shouldDefineOneRecordPerTopic() {
        for (String name : TOPIC_RECORDS) {
            Schema schema = current.get("dev.streamscribe.avro." + name);
            assertTrue(schema != null && schema.getType() == Schema.Type.RECORD, "schemas/ lacks record " + name);
        }
    }

    @Test
    void shouldReadDataWrittenByThePreviousReleasedVersion() throws IOException {
        Path previousDir = latestRelease().orElseThrow(() -> new AssertionError("no released version in " + HISTORY));
        Map<String, Schema> previous = AvroSchemaFiles.parse(previousDir);
        RandomAvroData data = new RandomAvroData(42);
        int checked = 0;
        for (Schema now : current.values()) {
            Schema before = previous.get(now.getFullName());
            if (before == null || now.getType() != Schema.Type.RECORD) {
                continue; // new types have no old data; enums are checked through the records using them
            }
            var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(now, before);
            assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE, compatibility.getType(),
                    now.getName() + " cannot read " + previousDir.getFileName() + ": " + compatibility.getDescription());
            for (int i = 0; i < 50; i++) {
                Object old = data.next(before);
                readAs(now, before, write(before, old));
            }
            checked++;
        }
        assertTrue(checked >= TOPIC_RECORDS.size(), "checked only " + checked + " records against " + previousDir);
    }

    @Test
    void shouldGiveEveryFieldAddedSinceTheLastReleaseADefault() {
        Map<String, Schema> previous = AvroSchemaFiles.parse(latestRelease().orElseThrow());
        List<String> missing = fieldsAddedWithoutDefault(current, previous);
        assertTrue(missing.isEmpty(), "fields added without a default: " + missing);
    }

    @Test
    void shouldNoticeAFieldAddedWithoutADefault() {
        Schema before = SchemaBuilder.record("R").namespace("t").fields().requiredString("a").endRecord();
        Schema after = SchemaBuilder.record("R").namespace("t").fields().requiredString("a").requiredInt("b").endRecord();
        assertEquals(List.of("t.R.b"), fieldsAddedWithoutDefault(Map.of("t.R", after), Map.of("t.R", before)));
    }

    @Test
    void shouldDocumentEveryTypeAndField() {
        List<String> undocumented = new ArrayList<>();
        for (Schema schema : current.values()) {
            if (schema.getDoc() == null || schema.getDoc().isBlank()) {
                undocumented.add(schema.getFullName());
            }
            if (schema.getType() == Schema.Type.RECORD) {
                schema.getFields().stream().filter(f -> f.doc() == null || f.doc().isBlank())
                        .forEach(f -> undocumented.add(schema.getFullName() + "." + f.name()));
            }
        }
        assertTrue(undocumented.isEmpty(), "missing doc: " + undocumented);
    }

    @Test
    void shouldKeepOneNamedTypePerFile() throws IOException {
        try (Stream<Path> files = Files.list(SCHEMAS)) {
            Set<String> names = new HashSet<>();
            files.forEach(f -> names.add(f.getFileName().toString().replace(".avsc", "")));
            current.values().forEach(s -> assertTrue(names.contains(s.getName()),
                    s.getFullName() + " is not in a file of its own name"));
            assertFalse(names.isEmpty());
        }
    }

    static List<String> fieldsAddedWithoutDefault(Map<String, Schema> now, Map<String, Schema> before) {
        List<String> missing = new ArrayList<>();
        for (Schema schema : now.values()) {
            Schema old = before.get(schema.getFullName());
            if (old == null || schema.getType() != Schema.Type.RECORD) {
                continue;
            }
            for (Schema.Field field : schema.getFields()) {
                boolean existed = old.getField(field.name()) != null
                        || field.aliases().stream().anyMatch(alias -> old.getField(alias) != null);
                if (!existed && !field.hasDefaultValue()) {
                    missing.add(schema.getFullName() + "." + field.name());
                }
            }
        }
        return missing;
    }

    static Optional<Path> latestRelease() {
        try (Stream<Path> dirs = Files.list(HISTORY)) {
            return dirs.filter(Files::isDirectory)
                    .max(Comparator.comparing(SchemaEvolutionTest::versionKey));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String versionKey(Path dir) {
        StringBuilder key = new StringBuilder();
        for (String part : dir.getFileName().toString().split("\\.")) {
            key.append(String.format("%08d", Integer.parseInt(part.replaceAll("\\D", "0"))));
        }
        return key.toString();
    }

    private static byte[] write(Schema schema, Object datum) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<>(schema).write(datum, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static Object readAs(Schema reader, Schema writer, byte[] bytes) throws IOException {
        return new GenericDatumReader<>(writer, reader).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }
}
