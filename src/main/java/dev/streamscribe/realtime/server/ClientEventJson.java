package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Optional;

import static dev.streamscribe.realtime.server.ServerDialect.JSON;

/**
 * Parses one client event from its UTF-8 bytes. An event is a JSON tree as before, but the {@code audio} of an
 * append (hundreds of KiB of base64) is not put in it: the parser only finds where the string is in the bytes, and
 * the JDK's decoder reads it there ({@link Audio#decode}). Parsing the whole message as a tree went through a
 * String, a char buffer, a second String and a byte copy of the base64 before decoding it: about a quarter of the
 * local server's CPU samples in the bench's throughput profile.
 *
 * <p>An event this fast path cannot read exactly as the tree parser would (not an object, malformed JSON anywhere)
 * is parsed by the tree parser, which gives the same tree and the same errors as before; an audio string with JSON
 * escapes in it is read by the tree parser when the decoder refuses it ({@link Audio#decode}).
 */
final class ClientEventJson {
    private ClientEventJson() {
    }

    /**
     * A client event. When {@code audio} is present, the event's string {@code audio} field is there instead of in
     * {@code event}; otherwise any {@code audio} field is in {@code event}, as the tree parser read it.
     */
    record Parsed(JsonNode event, Optional<Audio> audio) {
    }

    /**
     * The content of a JSON string, as a range of the message's bytes, undecoded. Base64 needs no JSON escapes, but
     * a client may still use some ({@code \/}): a string the decoder refuses that has one is read by the tree
     * parser first, so it decodes exactly as before.
     */
    record Audio(byte[] message, int offset, int length) {
        /**
         * The decoded bytes: the JDK's strict basic decoder, as {@code Base64.getDecoder().decode(String)}.
         *
         * @throws IllegalArgumentException not base64
         */
        ByteBuffer decode() {
            try {
                return Base64.getDecoder().decode(ByteBuffer.wrap(message, offset, length));
            } catch (IllegalArgumentException e) {
                if (!hasEscape()) {
                    throw e;
                }
                return ByteBuffer.wrap(Base64.getDecoder().decode(text()));
            }
        }

        private boolean hasEscape() {
            for (int i = offset; i < offset + length; i++) {
                if (message[i] == '\\') {
                    return true;
                }
            }
            return false;
        }

        /** The string's value as the tree parser reads it (the quoted string, quotes included, is a JSON value). */
        private String text() {
            try {
                return JSON.readTree(message, offset - 1, length + 2).asText();
            } catch (IOException e) {
                throw new UncheckedIOException("the parser already read this string as valid JSON", e);
            }
        }
    }

    /**
     * The event in the first {@code length} bytes of {@code utf8}.
     *
     * @throws JsonProcessingException not JSON (as {@code readTree} reports it)
     */
    static Parsed parse(byte[] utf8, int length) throws JsonProcessingException {
        try {
            Optional<Parsed> fast = fast(utf8, length);
            if (fast.isPresent()) {
                return fast.get();
            }
        } catch (IOException e) {
            // malformed somewhere: the tree parser says where, in its own words
        }
        return tree(utf8, length);
    }

    /** The event as the tree parser reads it; any {@code audio} stays in the tree. */
    static Parsed tree(byte[] utf8, int length) throws JsonProcessingException {
        try {
            return new Parsed(JSON.readTree(utf8, 0, length), Optional.empty());
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading an array in memory cannot fail", e);
        }
    }

    private static Optional<Parsed> fast(byte[] utf8, int length) throws IOException {
        try (JsonParser parser = JSON.getFactory().createParser(utf8, 0, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            ObjectNode event = JSON.createObjectNode();
            Optional<Audio> audio = Optional.empty();
            int audioStart = -1; // just after the opening quote of an audio string the parser has not passed yet
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME || audioStart >= 0) {
                if (audioStart >= 0) {
                    // the parser has just skipped the audio string (checking it is well-formed JSON, copying
                    // nothing); it ends with the quote before this token and the separators between them
                    int close = closingQuoteBefore(utf8, (int) parser.currentTokenLocation().getByteOffset());
                    audio = Optional.of(new Audio(utf8, audioStart, close - audioStart));
                    audioStart = -1;
                    if (token != JsonToken.FIELD_NAME) {
                        break;
                    }
                }
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("audio") && value == JsonToken.VALUE_STRING) {
                    audioStart = (int) parser.currentTokenLocation().getByteOffset() + 1; // after the opening quote
                    event.remove(name); // a repeated key: the last one counts, as in a tree
                } else {
                    audio = name.equals("audio") ? Optional.empty() : audio;
                    event.set(name, parser.readValueAsTree());
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT) {
                return Optional.empty();
            }
            return Optional.of(new Parsed(event, audio));
        }
    }

    /** The index of the quote that closes a string, found from the next token back over JSON's separators. */
    private static int closingQuoteBefore(byte[] utf8, int nextToken) throws IOException {
        int i = nextToken - 1;
        while (i >= 0 && (utf8[i] == ',' || utf8[i] == ' ' || utf8[i] == '\t' || utf8[i] == '\n' || utf8[i] == '\r')) {
            i--;
        }
        if (i < 0 || utf8[i] != '"') {
            throw new IOException("no closing quote before offset " + nextToken); // the tree parser takes over
        }
        return i;
    }
}
