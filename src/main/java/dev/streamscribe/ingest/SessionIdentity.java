package dev.streamscribe.ingest;

import dev.streamscribe.avro.ResponseRequest;
import dev.streamscribe.avro.SessionConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Names sessions and runs so that ingesting the same thing twice is the same work (docs/architecture.md section 4 rule 7).
 * <ul>
 *   <li>The <b>session id</b> is a SHA-256 of the file's bytes and of the audio layout (encoding, turn cutting,
 *   chunk size, raw format): the same recording cut the same way is the same session, wherever the file lies; cut
 *   differently, its chunks differ, so it is another session.</li>
 *   <li>The <b>run token</b> is a SHA-256 of the session config without its session id, run token, creation time and
 *   metadata: the same model, instructions and transcription settings are the same run (already finished runs are
 *   skipped), a changed model or prompt is a new run. Metadata only describes, so it does not count.</li>
 * </ul>
 */
public final class SessionIdentity {
    private static final HexFormat HEX = HexFormat.of();

    private SessionIdentity() {
    }

    /** {@code "s-" + 32 hex digits} from the file's content and the layout description. */
    public static String sessionId(Path file, String layout) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int read; (read = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, read);
            }
        }
        digest.update((byte) 0);
        digest.update(layout.getBytes(StandardCharsets.UTF_8));
        return "s-" + HEX.formatHex(digest.digest(), 0, 16);
    }

    /** {@code "r-" + 16 hex digits} from the parts of the config that change what the provider is asked. */
    public static String runToken(SessionConfig config) {
        SessionConfig.Builder canonical = SessionConfig.newBuilder(config).setSessionId("").setRunToken("")
                .setCreatedAtMs(0).setMetadata(Map.of()).setDialectOptions(new TreeMap<>(config.getDialectOptions()));
        if (config.getResponse() != null) {
            canonical.setResponse(ResponseRequest.newBuilder(config.getResponse())
                    .setMetadata(new TreeMap<>(config.getResponse().getMetadata())).build());
        }
        try {
            ByteBuffer encoded = canonical.build().toByteBuffer();
            MessageDigest digest = sha256();
            digest.update(encoded);
            return "r-" + HEX.formatHex(digest.digest(), 0, 8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a session config", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
