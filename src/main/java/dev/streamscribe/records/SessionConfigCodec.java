package dev.streamscribe.records;

import dev.streamscribe.avro.SessionConfig;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The session config as the pipeline's own state keeps it: Avro single-object encoding (the writer schema's
 * fingerprint, then the binary), decoded with a schema store that holds every released {@code SessionConfig} schema
 * bundled in the jar ({@code schema-history/<release>/}, listed in {@code schema-history/releases.txt}) and this
 * build's. So state written by any released version is read by any later one without a registry, and resolved to
 * this build's schema (fields added since get their defaults).
 *
 * <p>Threading: thread-safe (Avro's message encoder and decoder are).
 */
public final class SessionConfigCodec {
    /** The files a release's SessionConfig schema needs, in the order they refer to each other. */
    private static final List<String> SCHEMA_FILES = List.of("AudioFormat", "OutputModality", "NoiseReduction", "StartPolicy",
            "TranscriptionSettings", "ResponseRequest", "SessionConfig");
    private static final SchemaStore.Cache RELEASED = releasedSchemas();
    private static final SessionConfigCodec DEFAULT = new SessionConfigCodec(RELEASED);

    private final BinaryMessageEncoder<SessionConfig> encoder =
            new BinaryMessageEncoder<>(SpecificData.getForClass(SessionConfig.class), SessionConfig.getClassSchema());
    private final BinaryMessageDecoder<SessionConfig> decoder;

    /** @param writers the writer schemas this codec can read (this build's is always added) */
    SessionConfigCodec(SchemaStore writers) {
        this.decoder = new BinaryMessageDecoder<>(SpecificData.getForClass(SessionConfig.class),
                SessionConfig.getClassSchema(), writers);
        this.decoder.addSchema(SessionConfig.getClassSchema());
    }

    public static byte[] encode(SessionConfig config) {
        try {
            ByteBuffer buffer = DEFAULT.encoder.encode(config);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a session config", e);
        }
    }

    /**
     * @throws UncheckedIOException the bytes are not a config of any released schema (corrupt state, or state of a
     *                              newer version than this build)
     */
    public static SessionConfig decode(byte[] bytes) {
        return DEFAULT.read(bytes);
    }

    SessionConfig read(byte[] bytes) {
        try {
            return decoder.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException("a stored session config cannot be read: " + e.getMessage()
                    + " (written by a newer version? releases known: " + releases() + ")",
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** Fingerprints of the schemas this build can read state of: every release and itself. */
    static List<Long> knownFingerprints() {
        List<Long> known = new ArrayList<>();
        for (String release : releases()) {
            known.add(SchemaNormalization.parsingFingerprint64(releaseSchema(release)));
        }
        known.add(SchemaNormalization.parsingFingerprint64(SessionConfig.getClassSchema()));
        return known;
    }

    static List<String> releases() {
        InputStream index = SessionConfigCodec.class.getResourceAsStream("/schema-history/releases.txt");
        if (index == null) {
            throw new IllegalStateException("schema-history/releases.txt is missing from the class path");
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(index, StandardCharsets.UTF_8))) {
            return in.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SessionConfig schema of one release, parsed with the types it refers to. */
    static Schema releaseSchema(String release) {
        Schema.Parser parser = new Schema.Parser();
        Schema config = null;
        for (String name : SCHEMA_FILES) {
            InputStream file = SessionConfigCodec.class.getResourceAsStream("/schema-history/" + release + "/" + name + ".avsc");
            if (file == null) {
                continue; // a type that release did not have yet
            }
            try (file) {
                Schema schema = parser.parse(file);
                if (name.equals("SessionConfig")) {
                    config = schema;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read schema-history/" + release + "/" + name + ".avsc", e);
            }
        }
        if (config == null) {
            throw new IllegalStateException("schema-history/" + release + " has no SessionConfig.avsc");
        }
        return config;
    }

    private static SchemaStore.Cache releasedSchemas() {
        SchemaStore.Cache store = new SchemaStore.Cache();
        releases().forEach(release -> store.addSchema(releaseSchema(release)));
        return store;
    }
}
