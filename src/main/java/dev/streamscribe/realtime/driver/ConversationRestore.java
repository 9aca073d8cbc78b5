package dev.streamscribe.realtime.driver;

import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.realtime.event.ClientEvent.CreateItem.Role;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the current connection's conversation lacks of a run with responses, and how it gets it (docs/architecture.md
 * section 5, "Resume"). The history is the request's context (turns finished on earlier connections) plus the turns
 * this attempt finishes (for a rotation to a new socket). Before a turn goes out, every earlier history entry the
 * connection has not carried is restored, in turn order, one {@code conversation.item.create} at a time (an item is
 * sent only once the previous one is acknowledged, so a refused item never leaves later ones in the wrong place):
 * the user's transcript, then the assistant's text. An entry without a transcript has its turn's audio re-sent
 * instead. Once the provider refuses an item, the rest of the context is re-sent as audio ({@link Mode#AUDIO}), as
 * far as the attempt has it.
 *
 * <p>Threading: touched only on the session's serial executor, like {@link SessionRun}.
 */
final class ConversationRestore {
    /** How context reaches the provider: as text until the provider refuses an item, then as audio. */
    enum Mode { TEXT, AUDIO }

    /** One {@code conversation.item.create} to send. */
    record Item(int turnIndex, Role role, String text) {
    }

    private final boolean enabled;
    private final TreeMap<Integer, ContextTurn> history = new TreeMap<>();
    private final Deque<Item> batch = new ArrayDeque<>();
    private final Set<Integer> userHere = new HashSet<>();
    private Mode mode = Mode.TEXT;
    private Optional<String> refusal = Optional.empty();
    private int presentBefore;
    private int batchUpTo;
    private Item awaiting;
    private boolean restoredText;
    private boolean restoredAudio;
    private boolean noted;

    /** @param enabled the session asks for responses: transcription keeps no conversation, so nothing is restored */
    ConversationRestore(boolean enabled, List<ContextTurn> context) {
        this.enabled = enabled;
        context.forEach(entry -> history.put(entry.turnIndex(), entry));
    }

    /** A new connection opened: its conversation is empty. */
    void newConnection() {
        batch.clear();
        awaiting = null;
        userHere.clear();
        presentBefore = 0;
        restoredText = false;
        restoredAudio = false;
        noted = false;
    }

    /** Whether context turn {@code turnIndex}'s user part goes as text (else its audio is streamed). */
    boolean userAsText(int turnIndex) {
        ContextTurn entry = history.get(turnIndex);
        return userHere.contains(turnIndex)
                || (mode == Mode.TEXT && entry != null && entry.userText().isPresent());
    }

    /**
     * Starts restoring what the connection lacks before turn {@code upTo} (exclusive).
     *
     * @return whether there is anything to send ({@link #next} gives it); if not, the connection is complete up to there
     */
    boolean begin(int upTo) {
        batch.clear();
        if (enabled && mode == Mode.TEXT) {
            for (ContextTurn entry : history.subMap(presentBefore, true, upTo, false).values()) {
                if (entry.userText().isPresent() && !userHere.contains(entry.turnIndex())) {
                    batch.add(new Item(entry.turnIndex(), Role.USER, entry.userText().get()));
                }
                entry.assistantText().ifPresent(text -> batch.add(new Item(entry.turnIndex(), Role.ASSISTANT, text)));
            }
        }
        batchUpTo = upTo;
        if (batch.isEmpty()) {
            presentBefore = Math.max(presentBefore, upTo);
            return false;
        }
        return true;
    }

    /** The next item of the batch; it must be acknowledged before the one after it is sent. */
    Item next() {
        if (awaiting != null) {
            throw new IllegalStateException("item for turn " + awaiting.turnIndex() + " is not acknowledged yet");
        }
        awaiting = batch.removeFirst();
        return awaiting;
    }

    /**
     * The awaited item is in the conversation.
     *
     * @return whether the batch is complete (the connection carries everything before its limit)
     */
    boolean acknowledged() {
        Item item = awaited();
        awaiting = null;
        restoredText = true;
        if (item.role() == Role.USER) {
            userHere.add(item.turnIndex());
        }
        if (batch.isEmpty()) {
            presentBefore = Math.max(presentBefore, batchUpTo);
            return true;
        }
        return false;
    }

    /**
     * The provider refused the awaited item: from now on context goes as audio. The batch is abandoned; what this
     * connection already has stays.
     *
     * @return the refused item
     */
    Item refused(String detail) {
        Item item = awaited();
        awaiting = null;
        batch.clear();
        mode = Mode.AUDIO;
        refusal = Optional.of(detail);
        return item;
    }

    boolean awaitingAcknowledgement() {
        return awaiting != null;
    }

    private Item awaited() {
        if (awaiting == null) {
            throw new IllegalStateException("no conversation item is awaiting its acknowledgement");
        }
        return awaiting;
    }

    /**
     * Turn {@code turnIndex}'s audio went out on this connection: as a new turn (the conversation has all of it), or
     * as context (its assistant part is still to be restored).
     */
    void streamed(int turnIndex, boolean asContext) {
        userHere.add(turnIndex);
        presentBefore = Math.max(presentBefore, asContext ? turnIndex : turnIndex + 1);
        restoredAudio |= asContext;
    }

    /** A context turn whose user part went as text: its audio is not needed. */
    void restoredAsText(int turnIndex) {
        presentBefore = Math.max(presentBefore, turnIndex + 1);
    }

    /** A turn finished on this attempt: a later socket (rotation) restores it like the request's context. */
    void finished(TurnCheckpoint checkpoint) {
        if (!enabled) {
            return;
        }
        TurnResult turn = checkpoint.turn();
        Optional<String> user = turn.status() == TurnStatus.COMPLETED
                ? Optional.of(turn.transcript()) : Optional.empty();
        Optional<String> assistant = checkpoint.response().map(r -> r.text().isEmpty() ? r.audioTranscript() : r.text());
        history.put(turn.turnIndex(), new ContextTurn(turn.turnIndex(), user, assistant));
    }

    /**
     * What the records say about the first new turn ({@code turnIndex}) a connection sends after restoring context,
     * once per connection: e.g. "context restored from text at turn 3"; empty when nothing was restored.
     */
    Optional<String> noteForFirstNewTurn(int turnIndex) {
        if (noted || !(restoredText || restoredAudio)) {
            return Optional.empty();
        }
        noted = true;
        List<String> how = new ArrayList<>();
        if (restoredText) {
            how.add("text");
        }
        if (restoredAudio) {
            how.add("audio");
        }
        return Optional.of("context restored from " + String.join(" and ", how) + " at turn " + turnIndex
                + refusal.map(detail -> " (CONTEXT_REFUSED: conversation.item.create was refused, so earlier turns' "
                + "audio was re-sent: " + detail + ")").orElse(""));
    }

    Mode mode() {
        return mode;
    }
}
