package dev.streamscribe.realtime.server;

import java.util.Optional;

/**
 * Produces the text of a response for the local realtime server. The local server has no language model; the
 * engine it ships with says so in every answer rather than pretending, and says what it saw of the conversation, so
 * a conversation restored on a new connection can be compared with one that never broke.
 */
public interface ResponseEngine {
    /**
     * What the engine knows of the conversation before the user turn it answers.
     *
     * @param lastUserText the last earlier user message's text (a transcript or a created item), if it had one
     */
    record Earlier(int userMessages, int assistantMessages, Optional<String> lastUserText) {
        public static final Earlier NONE = new Earlier(0, 0, Optional.empty());
    }

    /**
     * @param instructions the response's or the session's instructions, if any
     * @param turnMillis   duration of the user turn the response follows
     * @param transcript   that turn's transcript, when it was ready before the response started
     * @param earlier      how many user and assistant messages came before that turn, and the last user one's text
     */
    String respond(Optional<String> instructions, long turnMillis, Optional<String> transcript, Earlier earlier);

    /** The shipped engine: a plain statement of what the server received. */
    static ResponseEngine describing() {
        return (instructions, turnMillis, transcript, earlier) -> "Local streamscribe server, no language model: received "
                + turnMillis + " ms of audio" + transcript.filter(t -> !t.isBlank()).map(t -> " transcribed as \"" + t + "\"").orElse("")
                + (earlier.userMessages() + earlier.assistantMessages() == 0 ? ""
                        : "; earlier in the conversation: " + earlier.userMessages() + " user and "
                        + earlier.assistantMessages() + " assistant messages"
                        + earlier.lastUserText().map(t -> ", the last user message \"" + t + "\"").orElse(""))
                + (instructions.isPresent() ? "; instructions were given, but nothing here follows them." : ".");
    }
}
