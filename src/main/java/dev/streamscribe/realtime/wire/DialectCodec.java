package dev.streamscribe.realtime.wire;

import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.event.ClientEvent;
import dev.streamscribe.realtime.event.ServerEvent;

/**
 * Maps neutral events to one dialect's wire JSON and back. Stateless and thread-safe.
 */
public interface DialectCodec {
    Dialect dialect();

    /**
     * The wire JSON of {@code event}, carrying {@code eventId}, as UTF-8: the bytes of one text message (an array of
     * its own, never changed afterwards), so that an audio append goes out without becoming a String.
     */
    byte[] encode(ClientEvent event, String eventId);

    /**
     * The neutral form of one server message.
     *
     * @throws MalformedEventException not JSON, no type, or a required field missing
     */
    ServerEvent decode(String message);

    /**
     * Our id for an outgoing event of {@code kind} ({@code cfg}, {@code append}, {@code commit}, ...): OpenAI's ids
     * may say what they are for, so they read {@code <kind>_<ordinal>}, which makes an {@code error} naming one
     * legible in logs.
     */
    default String eventId(String kind, String ordinal) {
        return kind + "_" + ordinal;
    }

    static DialectCodec of(Dialect dialect) {
        return switch (dialect) {
            case OPENAI_GA -> new OpenAiGaCodec(Dialect.OPENAI_GA);
            case INWORLD -> new OpenAiGaCodec(Dialect.INWORLD);
            case OPENAI_BETA -> new OpenAiBetaCodec();
        };
    }
}
