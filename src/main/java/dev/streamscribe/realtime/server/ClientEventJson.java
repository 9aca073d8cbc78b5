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
 * <p>An event this fast path cannot read exactly as the tree parser would (not an object, an escape in the audio
 * string, malformed JSON anywhere) is parsed by the tree parser, which gives the same tree and the same errors as
 * before.
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

    /** The content of a JSON string of base64, escape-free, as a range of the message's bytes. */
    record Audio(byte[] message, int offset, int length) {
        /** The decoded bytes; the JDK's strict basic decoder, as {@code Base64.getDecoder().decode(String)}. */
        ByteBuffer decode() {
            return Base64.getDecoder().decode(ByteBuffer.wrap(message, offset, length));
        }
    }

    /**
     * The event in {@code utf8}.
     *
     * @throws JsonProcessingException not JSON (as {@code readTree} reports it)
     */
    static Parsed parse(byte[] utf8) throws JsonProcessingException {
        try {
            Optional<Parsed> fast = fast(utf8);
            if (fast.isPresent()) {
                return fast.get();
            }
        } catch (IOException e) {
            // malformed somewhere: the tree parser says where, in its own words
        }
        try {
            return new Parsed(JSON.readTree(utf8), Optional.empty());
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading an array in memory cannot fail", e);
        }
    }

    private static Optional<Parsed> fast(byte[] utf8) throws IOException {
        try (JsonParser parser = JSON.getFactory().createParser(utf8)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            ObjectNode event = JSON.createObjectNode();
            Optional<Audio> audio = Optional.empty();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("audio") && value == JsonToken.VALUE_STRING) {
                    int open = (int) parser.currentTokenLocation().getByteOffset(); // the opening quote
                    int close = endOfPlainString(utf8, open + 1);
                    if (close < 0) {
                        return Optional.empty(); // an escape: the tree parser reads it
                    }
                    audio = Optional.of(new Audio(utf8, open + 1, close - open - 1));
                    event.remove(name); // a repeated key: the last one counts, as in a tree
                    // the parser skips the string (checking it is well-formed JSON) without copying it
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

    /** The index of the quote that ends the string starting at {@code from}, or -1 at an escape first. */
    private static int endOfPlainString(byte[] utf8, int from) {
        for (int i = from; i < utf8.length; i++) {
            byte b = utf8[i];
            if (b == '"') {
                return i;
            }
            if (b == '\\') {
                return -1;
            }
        }
        return -1;
    }
}
