package dev.streamscribe.realtime.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The append written as bytes: the same JSON a tree would give, from any buffer, leaving the caller's untouched. */
class AudioAppendJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anAppendOfASliceCarriesExactlyTheSlicesAudio() throws Exception {
        byte[] backing = new byte[10_000];
        new Random(9).nextBytes(backing);
        ByteBuffer slice = ByteBuffer.wrap(backing).slice(1_001, 4_801); // an offset and a length not divisible by 3
        JsonNode event = JSON.readTree(AudioAppendJson.encode(slice, "append_3"));
        assertEquals("input_audio_buffer.append", event.get("type").asText());
        assertEquals("append_3", event.get("event_id").asText());
        assertArrayEquals(Arrays.copyOfRange(backing, 1_001, 5_802), Base64.getDecoder().decode(event.get("audio").asText()));
        assertEquals(3, event.size());
    }

    @Test
    void theCallersBufferKeepsItsPosition() {
        ByteBuffer audio = ByteBuffer.wrap(new byte[4_800]);
        audio.position(960);
        AudioAppendJson.encode(audio, "append_1");
        assertEquals(960, audio.position());
        assertEquals(4_800, audio.limit());
    }

    @Test
    void aReadOnlyBufferIsEncodedToo() throws Exception {
        byte[] audio = new byte[960];
        new Random(2).nextBytes(audio);
        JsonNode event = JSON.readTree(AudioAppendJson.encode(ByteBuffer.wrap(audio).asReadOnlyBuffer(), "append_2"));
        assertArrayEquals(audio, Base64.getDecoder().decode(event.get("audio").asText()));
    }

    @Test
    void anEventIdThatNeedsEscapingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> AudioAppendJson.encode(ByteBuffer.allocate(2), "a\"b"));
    }
}
