package dev.streamscribe.realtime.server;

import java.util.Optional;

/**
 * Produces the text of a response for the local realtime server. The local server has no language model; the
 * engine it ships with says so in every answer rather than pretending.
 */
public interface ResponseEngine {
    /**
     * @param instructions the response's or the session's instructions, if any
     * @param turnMillis   duration of the user turn the response follows
     * @param transcript   that turn's transcript, when it was ready before the response started
     */
    String respond(Optional<String> instructions, long turnMillis, Optional<String> transcript);

    /** The shipped engine: a plain statement of what the server received. */
    static ResponseEngine describing() {
        return (instructions, turnMillis, transcript) -> "Local streamscribe server, no language model: received "
                + turnMillis + " ms of audio" + transcript.filter(t -> !t.isBlank()).map(t -> " transcribed as \"" + t + "\"").orElse("")
                + (instructions.isPresent() ? "; instructions were given, but nothing here follows them." : ".");
    }
}
