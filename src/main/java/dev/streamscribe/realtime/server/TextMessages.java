package dev.streamscribe.realtime.server;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Puts one connection's text messages together from their frames, as UTF-8 bytes, and checks each once, when its
 * last frame has come. Jetty's own text sink decodes UTF-8 a byte at a time into a StringBuilder: with audio appends
 * (hundreds of KiB of base64 each) that was a quarter of the local server's Jetty threads' CPU in the bench's profile
 * at 1,000 sessions in flight. Here the bytes are copied once and handed on as bytes ({@link Message}): an append is
 * parsed from them without ever becoming a String ({@link ClientEventJson}). A message of ASCII only (every append)
 * is valid UTF-8 as it is; any other is checked strictly (RFC 6455: a text message that is not valid UTF-8 closes
 * the connection with 1007).
 *
 * <p>Threading: Jetty delivers a connection's frames one at a time; one instance per connection, no other thread.
 */
final class TextMessages {
    /** RFC 6455 close codes for the two ways a text message can be refused. */
    static final int CLOSE_NOT_UTF8 = 1007;
    static final int CLOSE_TOO_BIG = 1009;
    /** A buffer grown past this for one large message is dropped afterwards, so an idle connection stays small. */
    private static final int KEEP_AT_MOST = 1024 * 1024;
    private static final int INITIAL = 64 * 1024;

    /** A message this connection must be closed for: the close code and reason. */
    static final class Refused extends Exception {
        private final int code;

        Refused(int code, String reason) {
            super(reason, null, false, false);
            this.code = code;
        }

        int code() {
            return code;
        }
    }

    /** One whole text message: the first {@code length} bytes of {@code utf8} (an array of its own), valid UTF-8. */
    record Message(byte[] utf8, int length) {
        String text() {
            return new String(utf8, 0, length, StandardCharsets.UTF_8);
        }
    }

    private final long maxMessageBytes;
    private byte[] bytes = new byte[INITIAL];
    private int length;
    /** The rest of a message already refused is dropped, frame by frame, up to its last. */
    private boolean discarding;

    TextMessages(long maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Adds a frame's payload (left untouched).
     *
     * @return the whole message once {@code last} is the final frame of it
     * @throws Refused when the message is larger than allowed (1009) or not UTF-8 (1007); what was received of it is
     *                 dropped, and so are its frames still to come
     */
    Optional<Message> add(ByteBuffer payload, boolean last) throws Refused {
        if (discarding) {
            discarding = !last;
            return Optional.empty();
        }
        int more = payload.remaining();
        if ((long) length + more > maxMessageBytes) {
            reset();
            discarding = !last;
            throw new Refused(CLOSE_TOO_BIG, "text message larger than " + maxMessageBytes + " bytes");
        }
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(maxMessageBytes, Math.max((long) bytes.length * 2, length + more)));
        }
        payload.duplicate().get(bytes, length, more);
        length += more;
        if (!last) {
            return Optional.empty();
        }
        try {
            checkUtf8(bytes, length);
            return Optional.of(handOver());
        } finally {
            reset();
        }
    }

    /**
     * The message, in an array of its own. A small one is copied out and the buffer kept; a large one (an audio
     * append) takes the buffer with it, and the next message gets a new one of the same size, up to
     * {@link #KEEP_AT_MOST}: appends come in a row of one size, so they are neither grown by doubling nor copied.
     */
    private Message handOver() {
        if (length <= INITIAL) {
            return new Message(Arrays.copyOf(bytes, length), length);
        }
        Message message = new Message(bytes, length);
        bytes = new byte[Math.min(length, KEEP_AT_MOST)];
        return message;
    }

    private void reset() {
        length = 0;
        if (bytes.length > KEEP_AT_MOST) {
            bytes = new byte[INITIAL];
        }
    }

    static void checkUtf8(byte[] bytes, int length) throws Refused {
        if (isAscii(bytes, length)) {
            return; // ASCII is UTF-8 as it is
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length));
        } catch (CharacterCodingException e) {
            throw new Refused(CLOSE_NOT_UTF8, "text message is not valid UTF-8");
        }
    }

    /** One pass with no branch per byte: the JIT turns it into a vector loop. */
    private static boolean isAscii(byte[] bytes, int length) {
        int any = 0;
        for (int i = 0; i < length; i++) {
            any |= bytes[i];
        }
        return any >= 0;
    }
}
