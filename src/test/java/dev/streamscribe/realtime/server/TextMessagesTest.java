package dev.streamscribe.realtime.server;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Text messages put together from their frames: whole once the last frame comes, refused as RFC 6455 says. */
class TextMessagesTest {
    private static ByteBuffer bytes(byte... values) {
        return ByteBuffer.wrap(values);
    }

    private static Optional<String> text(Optional<TextMessages.Message> message) {
        return message.map(TextMessages.Message::text);
    }

    private static ByteBuffer frame(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aMessageIsWholeOnlyWithItsLastFrameEvenWhenACharacterIsSplitBetweenFrames() throws Exception {
        TextMessages messages = new TextMessages(1_000);
        byte[] euro = "a€b".getBytes(StandardCharsets.UTF_8); // € is three bytes
        assertEquals(Optional.empty(), text(messages.add(ByteBuffer.wrap(euro, 0, 2), false)));
        assertEquals(Optional.empty(), text(messages.add(ByteBuffer.wrap(euro, 2, 2), false)));
        assertEquals(Optional.of("a€b"), text(messages.add(ByteBuffer.wrap(euro, 4, 1), true)));
        assertEquals(Optional.of("next"), text(messages.add(frame("next"), true)),
                "the next message starts empty");
    }

    @Test
    void invalidUtf8IsRefusedWith1007() {
        TextMessages messages = new TextMessages(1_000);
        TextMessages.Refused refused = assertThrows(TextMessages.Refused.class,
                () -> messages.add(bytes((byte) 'a', (byte) 0xC3), true)); // a lead byte without its continuation
        assertEquals(1007, refused.code());
    }

    @Test
    void aReplacementCharacterSentAsSuchIsText() throws Exception {
        String text = "unknown: \uFFFD";
        assertEquals(Optional.of(text), text(new TextMessages(1_000).add(frame(text), true)));
    }

    @Test
    void aMessageOverTheLimitIsRefusedWith1009AndTheNextOneStartsAfresh() throws Exception {
        TextMessages messages = new TextMessages(10);
        messages.add(frame("xxxxxx"), false);
        TextMessages.Refused refused = assertThrows(TextMessages.Refused.class, () -> messages.add(frame("xxxxxx"), true));
        assertEquals(1009, refused.code());
        assertEquals(Optional.of("xxxxxx"), text(messages.add(frame("xxxxxx"), true)));
    }

    @Test
    void theFramesOfARefusedMessageThatFollowAreDropped() throws Exception {
        TextMessages messages = new TextMessages(10);
        messages.add(frame("xxxxxx"), false);
        assertThrows(TextMessages.Refused.class, () -> messages.add(frame("xxxxxx"), false));
        assertEquals(Optional.empty(), text(messages.add(frame("xxxxxx"), false)));
        assertEquals(Optional.empty(), text(messages.add(frame("xxxxxx"), true)), "its last frame ends it, unseen");
        assertEquals(Optional.of("{}"), text(messages.add(frame("{}"), true)));
    }

    @Test
    void theFramesBufferIsLeftAsItWas() throws Exception {
        ByteBuffer frame = frame("{}");
        new TextMessages(1_000).add(frame, true);
        assertEquals(2, frame.remaining(), "Jetty owns the payload: its position is not moved");
    }

    @Test
    void aMessageHandedOverIsNotOverwrittenByTheNextOnes() throws Exception {
        TextMessages messages = new TextMessages(1_000_000);
        for (int size : new int[]{10, 100_000}) {
            TextMessages.Message first = messages.add(frame("a".repeat(size)), true).orElseThrow();
            messages.add(frame("b".repeat(size)), true).orElseThrow();
            messages.add(frame("c".repeat(size / 2)), false);
            messages.add(frame("c".repeat(size / 2)), true).orElseThrow();
            assertEquals("a".repeat(size), first.text(), "a message of " + size + " bytes");
        }
    }
}
