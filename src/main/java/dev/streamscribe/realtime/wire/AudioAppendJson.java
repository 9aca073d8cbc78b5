package dev.streamscribe.realtime.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Writes {@code input_audio_buffer.append} directly: it is the hot path (one per chunk, the base64 dominating),
 * its shape is the same in every dialect, and our event ids need no escaping, so no JSON tree is built.
 */
final class AudioAppendJson {
    private static final String PREFIX = "{\"type\":\"input_audio_buffer.append\",\"event_id\":\"";

    private AudioAppendJson() {
    }

    static String encode(ByteBuffer audio, String eventId) {
        if (!eventId.chars().allMatch(c -> c >= 0x20 && c != '"' && c != '\\' && c < 0x7f)) {
            throw new IllegalArgumentException("event id needs JSON escaping: " + eventId);
        }
        // One pass into one ASCII byte array, then one copy into a Latin-1 String (Java stores it as those bytes):
        // building it through a StringBuilder and a CharBuffer inflated every base64 byte to a char and back, the
        // pipeline's top hotspot in the bench profile.
        byte[] head = (PREFIX + eventId + "\",\"audio\":\"").getBytes(StandardCharsets.US_ASCII);
        int length = audio.remaining();
        Json out = new Json(head.length + 4 * ((length + 2) / 3) + 2);
        out.write(head, 0, head.length);
        try (OutputStream base64 = Base64.getEncoder().wrap(out)) {
            if (audio.hasArray()) {
                base64.write(audio.array(), audio.arrayOffset() + audio.position(), length);
            } else {
                byte[] copy = new byte[length];
                audio.duplicate().get(copy);
                base64.write(copy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        out.write('"');
        out.write('}');
        return out.text();
    }

    /** A byte buffer whose content becomes a String without an intermediate copy. */
    private static final class Json extends ByteArrayOutputStream {
        Json(int size) {
            super(size);
        }

        String text() {
            return new String(buf, 0, count, StandardCharsets.ISO_8859_1);
        }
    }
}
