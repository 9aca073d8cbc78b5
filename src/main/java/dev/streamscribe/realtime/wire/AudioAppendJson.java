package dev.streamscribe.realtime.wire;

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
        ByteBuffer base64 = Base64.getEncoder().encode(audio.duplicate());
        StringBuilder json = new StringBuilder(PREFIX.length() + eventId.length() + base64.remaining() + 16);
        json.append(PREFIX).append(eventId).append("\",\"audio\":\"");
        json.append(StandardCharsets.ISO_8859_1.decode(base64));
        return json.append("\"}").toString();
    }
}
