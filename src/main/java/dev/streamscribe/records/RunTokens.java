package dev.streamscribe.records;

import dev.streamscribe.avro.ResponseRequest;
import dev.streamscribe.avro.SessionConfig;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Run tokens derived from what a config asks the provider, so that publishing the same request again is the same
 * run (never paid twice) and a changed request is a new run (docs/architecture.md section 4 rule 7).
 *
 * <p>Version 2 ({@code r2-} + 16 hex digits) hashes a canonical text of the request that does not depend on the Avro
 * schema it was written with: the fields of the config and of the records inside it, by name in sorted order,
 * leaving out every field whose value equals its schema default, and the fields that only describe the run
 * (session id, run token, metadata, creation time). Maps are sorted by key, enums are written by symbol, strings as
 * JSON strings. So adding an optional field with a default to {@code SessionConfig} keeps every token, and
 * {@code RunTokensTest} keeps fixed configs mapped to fixed tokens forever.
 *
 * <p>Version 1 ({@code r-}) hashed the Avro single-object encoding, which embeds the writer schema's fingerprint:
 * any schema change altered every token. Runs finished under a version 1 token are still recognised:
 * {@link #equivalents} gives both tokens of a request, and the pipeline's skip check looks for either.
 */
public final class RunTokens {
    /** The canonical text starts with this line; a new canonical form would be version 3. */
    static final String CANONICAL_HEADER = "streamscribe run token v2\n";
    private static final Set<String> DESCRIBING_FIELDS = Set.of("sessionId", "runToken", "metadata", "createdAtMs");
    private static final HexFormat HEX = HexFormat.of();
    /** What either token function gives: {@code r2-} (version 2) or {@code r-} (version 1) and 16 hex digits. */
    private static final Pattern DERIVED = Pattern.compile("r2?-[0-9a-f]{16}");

    private RunTokens() {
    }

    /** The version 2 token of {@code config}'s request. */
    public static String of(SessionConfig config) {
        return "r2-" + HEX.formatHex(sha256(canonicalForm(config).getBytes(StandardCharsets.UTF_8)), 0, 8);
    }

    /**
     * The version 1 token (the function ingest used before version 2). Version 1 hashed the encoding with the
     * SessionConfig schema of release {@link #V1_SCHEMA_RELEASE}, the last one it ran with, so the config is encoded
     * with that schema here, whatever this build's: fields added since are left out. A request that sets one of them
     * to other than its default is one version 1 never saw; its "version 1 token" is its version 2 token.
     */
    public static String legacy(SessionConfig config) {
        SessionConfig.Builder canonical = SessionConfig.newBuilder(config).setSessionId("").setRunToken("")
                .setCreatedAtMs(0).setMetadata(Map.of()).setDialectOptions(new TreeMap<>(config.getDialectOptions()));
        if (config.getResponse() != null) {
            canonical.setResponse(ResponseRequest.newBuilder(config.getResponse())
                    .setMetadata(new TreeMap<>(config.getResponse().getMetadata())).build());
        }
        SessionConfig current = canonical.build();
        GenericRecord v1 = asV1(current);
        if (!canonicalForm(v1).equals(canonicalForm(current))) {
            return of(config);
        }
        try {
            ByteBuffer encoded = V1Schema.ENCODER.encode(v1);
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return "r-" + HEX.formatHex(sha256(bytes), 0, 8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a session config", e);
        }
    }

    /** The release whose SessionConfig schema version 1 tokens were computed with. */
    static final String V1_SCHEMA_RELEASE = "0.1.0";

    /**
     * That release's schema, parsed once: parsing its files for every config was the largest single cost of a
     * session's config in the bench's profile (Schema.Parser, about 1 ms a config at 1,000 sessions in flight).
     */
    private static final class V1Schema {
        static final Schema SCHEMA = SessionConfigCodec.releaseSchema(V1_SCHEMA_RELEASE);
        /** Thread-safe; building one computes the schema's fingerprint (its canonical text), so it is built once. */
        static final BinaryMessageEncoder<GenericRecord> ENCODER = new BinaryMessageEncoder<>(GenericData.get(), SCHEMA);
        /** Per thread: a datum reader or writer is built for one schema pair and kept (building one resolves them). */
        static final ThreadLocal<SpecificDatumWriter<SessionConfig>> WRITER = ThreadLocal.withInitial(
                () -> new SpecificDatumWriter<>(SessionConfig.getClassSchema()));
        static final ThreadLocal<GenericDatumReader<GenericRecord>> READER = ThreadLocal.withInitial(
                () -> new GenericDatumReader<>(SessionConfig.getClassSchema(), SCHEMA));
    }

    /** {@code config} as a record of the version 1 schema: written with its own schema, read back with that one. */
    private static GenericRecord asV1(SessionConfig config) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
            V1Schema.WRITER.get().write(config, encoder);
            encoder.flush();
            return V1Schema.READER.get().read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot convert a session config to release " + V1_SCHEMA_RELEASE, e);
        }
    }

    /**
     * The tokens under which {@code config}'s run may already have finished: when {@code token} is one the token
     * functions give for this request (ingest's), every version's; otherwise (a caller's own token, a replay's)
     * just {@code token}.
     */
    public static List<String> equivalents(String token, SessionConfig config) {
        if (!DERIVED.matcher(token).matches()) {
            // a caller's own token can equal neither function's (each is a prefix and 16 hex digits): nothing to
            // compute. Computing both for every config was 8 % of the stream thread at 1,000 sessions in flight.
            return List.of(token);
        }
        String current = of(config);
        String previous = legacy(config);
        return token.equals(current) || token.equals(previous) ? List.of(current, previous) : List.of(token);
    }

    /**
     * Whether {@code token} (of {@code config}) names the same run as {@code other} (empty: no run): equal, or
     * equivalent tokens of one request. The equivalents are computed only when the two differ.
     */
    public static boolean sameRun(String token, SessionConfig config, String other) {
        return !other.isEmpty() && (token.equals(other) || equivalents(token, config).contains(other));
    }

    /** The canonical text version 2 hashes; public for the documentation and its tests. */
    public static String canonicalForm(IndexedRecord config) {
        StringBuilder out = new StringBuilder(CANONICAL_HEADER);
        record(config, config.getSchema(), true, out);
        return out.toString();
    }

    private static void record(IndexedRecord value, Schema schema, boolean top, StringBuilder out) {
        out.append('{');
        List<Schema.Field> fields = new ArrayList<>(schema.getFields());
        fields.sort(Comparator.comparing(Schema.Field::name));
        boolean first = true;
        for (Schema.Field field : fields) {
            Object fieldValue = value.get(field.pos());
            if ((top && DESCRIBING_FIELDS.contains(field.name())) || isDefault(field, fieldValue)) {
                continue;
            }
            out.append(first ? "" : ",");
            first = false;
            string(field.name(), out);
            out.append(':');
            value(fieldValue, field.schema(), out);
        }
        out.append('}');
    }

    private static void value(Object value, Schema schema, StringBuilder out) {
        switch (schema.getType()) {
            case NULL -> out.append("null");
            case UNION -> value(value, schema.getTypes().get(GenericData.get().resolveUnion(schema, value)), out);
            case RECORD -> record((IndexedRecord) value, schema, false, out);
            case ENUM, STRING -> string(value.toString(), out);
            case BOOLEAN, INT, LONG, FLOAT, DOUBLE -> out.append(value);
            case BYTES -> string(Base64.getEncoder().encodeToString(bytes((ByteBuffer) value)), out);
            case FIXED -> string(Base64.getEncoder().encodeToString(((GenericData.Fixed) value).bytes()), out);
            case ARRAY -> {
                out.append('[');
                boolean first = true;
                for (Object element : (Collection<?>) value) {
                    out.append(first ? "" : ",");
                    first = false;
                    value(element, schema.getElementType(), out);
                }
                out.append(']');
            }
            case MAP -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, Object> entry : sortedMap((Map<?, ?>) value).entrySet()) {
                    out.append(first ? "" : ",");
                    first = false;
                    string(entry.getKey(), out);
                    out.append(':');
                    value(entry.getValue(), schema.getValueType(), out);
                }
                out.append('}');
            }
        }
    }

    private static boolean isDefault(Schema.Field field, Object value) {
        if (!field.hasDefaultValue()) {
            return false;
        }
        Object defaultValue = SpecificData.get().getDefaultValue(field);
        if (value == null || defaultValue == null) {
            return value == defaultValue;
        }
        if (value instanceof Map<?, ?> map && defaultValue instanceof Map<?, ?> defaults) {
            return sortedMap(map).equals(sortedMap(defaults));
        }
        try {
            return SpecificData.get().compare(value, defaultValue, field.schema()) == 0;
        } catch (AvroRuntimeException incomparable) {
            return false;
        }
    }

    private static Map<String, Object> sortedMap(Map<?, ?> map) {
        Map<String, Object> sorted = new TreeMap<>();
        map.forEach((key, value) -> sorted.put(key.toString(), value instanceof CharSequence text ? text.toString() : value));
        return sorted;
    }

    private static void string(String text, StringBuilder out) {
        out.append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
