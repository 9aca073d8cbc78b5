package dev.streamscribe.realtime.server;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Puts one connection's text messages together from their frames, as UTF-8 bytes, and decodes each once, when its
 * last frame has come. Jetty's own text sink decodes UTF-8 a byte at a time into a StringBuilder: with audio appends
 * (hundreds of KiB of base64 each) that was a quarter of the local server's Jetty threads' CPU in the bench's profile
 * at 1,000 sessions in flight. Here the bytes are copied once and decoded by the JDK ({@code new String}, which copies
 * ASCII as it is), and checked strictly only when the fast decoding replaced something (RFC 6455: a text message
 * that is not valid UTF-8 closes the connection with 1007).
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
    Optional<String> add(ByteBuffer payload, boolean last) throws Refused {
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
            return Optional.of(decode(bytes, length));
        } finally {
            reset();
        }
    }

    private void reset() {
        length = 0;
        if (bytes.length > KEEP_AT_MOST) {
            bytes = new byte[INITIAL];
        }
    }

    static String decode(byte[] bytes, int length) throws Refused {
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') < 0) {
            return text; // nothing was replaced: the bytes were valid UTF-8
        }
        try {
            // U+FFFD may be in the message itself; only a strict decoding tells that from malformed input
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw new Refused(CLOSE_NOT_UTF8, "text message is not valid UTF-8");
        }
    }
}
