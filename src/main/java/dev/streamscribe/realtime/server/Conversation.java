package dev.streamscribe.realtime.server;

import java.util.Optional;

/**
 * The conversation of one local session, as far as the server needs it: the last item (new items chain to it with
 * {@code previous_item_id}), and the last user turn's length and transcript (what the response engine answers).
 *
 * <p>Threading: owned by one session's serial executor.
 */
final class Conversation {
    private String lastItemId;
    private long lastTurnMs;
    private String lastTranscript;

    /** The id of the last item, or null before the first. */
    String lastItemId() {
        return lastItemId;
    }

    /**
     * A committed user turn became item {@code itemId}.
     *
     * @return the item it follows (null: the first)
     */
    String userTurn(String itemId, long millis) {
        String previous = lastItemId;
        lastItemId = itemId;
        lastTurnMs = millis;
        lastTranscript = null;
        return previous;
    }

    /** A transcript arrived; it is the last user turn's only if no other item came since. */
    void transcribed(String itemId, String transcript) {
        if (itemId.equals(lastItemId)) {
            lastTranscript = transcript;
        }
    }

    /**
     * A response started item {@code itemId}.
     *
     * @return the item it follows
     */
    String assistantItem(String itemId) {
        String previous = lastItemId;
        lastItemId = itemId;
        return previous;
    }

    long lastTurnMs() {
        return lastTurnMs;
    }

    Optional<String> lastTranscript() {
        return Optional.ofNullable(lastTranscript);
    }
}
