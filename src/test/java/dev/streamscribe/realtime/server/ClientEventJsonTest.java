package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

import static dev.streamscribe.realtime.server.ServerDialect.JSON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Client events read from their bytes: the same tree and errors as the tree parser, an append's audio left in place. */
class ClientEventJsonTest {
    private static final byte[] AUDIO = new byte[48_000];

    static {
        new Random(3).nextBytes(AUDIO);
    }

    private static ClientEventJson.Parsed parse(byte[] utf8) throws JsonProcessingException {
        byte[] padded = java.util.Arrays.copyOf(utf8, utf8.length + 7); // a message is a prefix of its buffer
        return ClientEventJson.parse(padded, utf8.length);
    }

    private static byte[] utf8(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    @Test
    void anAppendsAudioIsDecodedWhereItIsAndTheRestIsTheTree() throws Exception {
        String json = "{\"type\":\"input_audio_buffer.append\", \"audio\" : \"" + Base64.getEncoder().encodeToString(AUDIO)
                + "\",\"event_id\":\"a_7\",\"extra\":{\"n\":[1,2]}}";
        ClientEventJson.Parsed parsed = parse(utf8(json));
        assertArrayEquals(AUDIO, bytes(parsed.audio().orElseThrow().decode()));
        JsonNode expected = JSON.readTree(json);
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected).remove("audio");
        assertEquals(expected, parsed.event());
    }

    @Test
    void anAudioStringWithAnEscapeDecodesAsTheTreeParserReadsIt() throws Exception {
        String base64 = Base64.getEncoder().encodeToString(AUDIO);
        assertTrue(base64.contains("/"), "the fixture needs a slash to escape");
        ClientEventJson.Parsed parsed = parse(utf8("{\"type\":\"input_audio_buffer.append\",\"audio\":\""
                + base64.replace("/", "\\/") + "\" ,\n \"event_id\":\"e\"}"));
        assertArrayEquals(AUDIO, bytes(parsed.audio().orElseThrow().decode()));
        assertEquals("e", parsed.event().get("event_id").asText());
    }

    @Test
    void theAudioStringEndsAtItsClosingQuoteWhateverSeparatesItFromTheNextField() throws Exception {
        for (String separator : new String[]{",", " , ", ",\n\t", "\r\n,  "}) {
            ClientEventJson.Parsed parsed = parse(utf8("{\"audio\":\"AAAA\"" + separator + "\"type\":\"x\"}"));
            assertArrayEquals(new byte[3], bytes(parsed.audio().orElseThrow().decode()), "separator '" + separator + "'");
            assertEquals("x", parsed.event().get("type").asText());
        }
        assertArrayEquals(new byte[3], bytes(parse(utf8("{\"audio\":\"AAAA\" \n}")).audio().orElseThrow().decode()),
                "the last field");
    }

    @Test
    void aRepeatedAudioKeyCountsItsLastValueAsATreeDoes() throws Exception {
        ClientEventJson.Parsed lastIsNumber = parse(utf8("{\"audio\":\"AAAA\",\"audio\":5}"));
        assertFalse(lastIsNumber.audio().isPresent());
        assertEquals(5, lastIsNumber.event().get("audio").asInt());
        ClientEventJson.Parsed lastIsString = parse(utf8("{\"audio\":5,\"audio\":\"AAAA\"}"));
        assertArrayEquals(new byte[3], bytes(lastIsString.audio().orElseThrow().decode()));
        assertFalse(lastIsString.event().has("audio"));
    }

    @Test
    void malformedJsonFailsAsTheTreeParserFailsOnIt() {
        String json = "{\"type\": \"input_audio_buffer.app";
        JsonProcessingException tree = assertThrows(JsonProcessingException.class, () -> JSON.readTree(utf8(json)));
        JsonProcessingException ours = assertThrows(JsonProcessingException.class, () -> parse(utf8(json)));
        assertEquals(tree.getOriginalMessage(), ours.getOriginalMessage());
    }

    @Test
    void aControlCharacterInTheAudioStringIsMalformedJson() {
        assertThrows(JsonProcessingException.class,
                () -> parse(utf8("{\"audio\":\"AA\u0001A\",\"type\":\"input_audio_buffer.append\"}")));
    }

    @Test
    void anEventThatIsNotAnObjectIsTheTreeParsersValue() throws Exception {
        ClientEventJson.Parsed parsed = parse(utf8("[1,2]"));
        assertTrue(parsed.event().isArray());
        assertFalse(parsed.audio().isPresent());
    }

    @Test
    void audioThatIsNotBase64FailsToDecodeAsTheJdkDecoderFails() throws Exception {
        ClientEventJson.Audio audio = parse(utf8("{\"audio\":\"!!!not base64!!!\"}")).audio().orElseThrow();
        assertThrows(IllegalArgumentException.class, audio::decode);
    }
}
