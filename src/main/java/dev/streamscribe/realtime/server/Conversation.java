package dev.streamscribe.realtime.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The conversation of one local session, as far as the server needs it: its messages in order (committed audio turns
 * with their transcripts once known, text items a client created, assistant responses), the last item (new items
 * chain to it with {@code previous_item_id}), and the last user audio turn, which a response answers. The response
 * engine sees what came before that turn ({@link ResponseEngine.Earlier}), so a resumed conversation whose earlier turns were
 * restored as text gets the same answers as one that never broke.
 *
 * <p>Threading: owned by one session's serial executor.
 */
final class Conversation {
    /** One message: {@code text} is a user audio turn's transcript (null until it arrives), or the item's text. */
    private static final class Message {
        final String itemId;
        final String role;
        String text;

        Message(String itemId, String role, String text) {
            this.itemId = itemId;
            this.role = role;
            this.text = text;
        }
    }

    private final List<Message> messages = new ArrayList<>();
    private int lastAudioTurn = -1;
    private long lastTurnMs;

    /** The id of the last item, or null before the first. */
    String lastItemId() {
        return messages.isEmpty() ? null : messages.getLast().itemId;
    }

    /**
     * A committed user turn became item {@code itemId}.
     *
     * @return the item it follows (null: the first)
     */
    String userTurn(String itemId, long millis) {
        String previous = lastItemId();
        messages.add(new Message(itemId, "user", null));
        lastAudioTurn = messages.size() - 1;
        lastTurnMs = millis;
        return previous;
    }

    /** A transcript arrived for a committed turn. */
    void transcribed(String itemId, String transcript) {
        messages.stream().filter(m -> m.itemId.equals(itemId)).findFirst().ifPresent(m -> m.text = transcript);
    }

    /**
     * A client created a text message ({@code conversation.item.create}).
     *
     * @return the item it follows
     */
    String textItem(String itemId, String role, String text) {
        String previous = lastItemId();
        messages.add(new Message(itemId, role, text));
        return previous;
    }

    /**
     * A response started item {@code itemId}, saying {@code text}.
     *
     * @return the item it follows
     */
    String assistantItem(String itemId, String text) {
        String previous = lastItemId();
        messages.add(new Message(itemId, "assistant", text));
        return previous;
    }

    long lastTurnMs() {
        return lastTurnMs;
    }

    Optional<String> lastTranscript() {
        return lastAudioTurn < 0 ? Optional.empty() : Optional.ofNullable(messages.get(lastAudioTurn).text);
    }

    /** What came before the last user audio turn. */
    ResponseEngine.Earlier earlier() {
        if (lastAudioTurn <= 0) {
            return ResponseEngine.Earlier.NONE;
        }
        List<Message> before = messages.subList(0, lastAudioTurn);
        int users = (int) before.stream().filter(m -> m.role.equals("user")).count();
        int assistants = (int) before.stream().filter(m -> m.role.equals("assistant")).count();
        Optional<String> lastUser = before.reversed().stream().filter(m -> m.role.equals("user")).findFirst()
                .map(m -> m.text).filter(text -> text != null && !text.isBlank());
        return new ResponseEngine.Earlier(users, assistants, lastUser);
    }
}
