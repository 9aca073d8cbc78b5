package dev.streamscribe.ingest;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.records.RunTokens;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names sessions and runs so that ingesting the same thing twice is the same work (docs/architecture.md section 4 rule 7).
 * <ul>
 *   <li>The <b>session id</b> is a SHA-256 of the file's bytes and of the audio layout (encoding, turn cutting,
 *   chunk size, raw format): the same recording cut the same way is the same session, wherever the file lies; cut
 *   differently, its chunks differ, so it is another session.</li>
 *   <li>The <b>run token</b> is {@link RunTokens#of}: a hash of what the config asks the provider, independent of the
 *   schema version: the same model, instructions and transcription settings are the same run (already finished runs
 *   are skipped), a changed model or prompt is a new run. Metadata only describes, so it does not count.</li>
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

    /** The run token of {@code config}'s request ({@link RunTokens#of}: schema-independent, version 2). */
    public static String runToken(SessionConfig config) {
        return RunTokens.of(config);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
