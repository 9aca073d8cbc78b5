package dev.streamscribe.realtime.driver;

import dev.streamscribe.realtime.event.ServerEvent;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;

/**
 * Every planned turn of a session attempt and where each one is. On the provider side a turn moves
 * <pre>
 * PLANNED -startStreaming-> STREAMING -committing-> COMMITTING -committed(item)-> COMMITTED -finish-> DONE
 * PLANNED | STREAMING -finish(SKIPPED)-> DONE          COMMITTING -finish(commit rejected)-> DONE
 * </pre>
 * and each move is guarded: an illegal one throws naming both stages. On the audio side, a turn's end is seen once.
 * Items are indexed by the provider's item id; transcription events for an item whose {@code committed} is still
 * queued are held until it arrives.
 *
 * <p>Threading: touched only on the session's serial executor, like {@link SessionRun}.
 */
final class TurnLedger {
    /** Where a turn is on the provider side. */
    enum Stage { PLANNED, STREAMING, COMMITTING, COMMITTED, DONE }

    /** Transcription events for items not yet committed are held, up to this many. */
    private static final int EARLY_EVENTS_HELD = 1024;

    /** One turn's lifecycle. */
    static final class Turn {
        private final TurnSpec spec;
        private final boolean context;
        private Stage stage = Stage.PLANNED;
        private boolean endSeen;
        private long bytesAppended;
        private String itemId;
        private TurnResult result;
        private ScheduledFuture<?> itemTimer;
        private boolean reported;
        private Optional<String> contextNote = Optional.empty();

        private Turn(TurnSpec spec, boolean context) {
            this.spec = spec;
            this.context = context;
        }

        /**
         * An earlier turn, finished on an earlier connection, whose audio is here only to restore a resumed
         * conversation: it never asks for a response and never reports a result.
         */
        boolean context() {
            return context;
        }

        /** A context turn is in the conversation (as text, or its audio committed): nothing more to wait for. */
        void finishAsContext(Stage... allowedFrom) {
            if (!context) {
                throw new IllegalStateException("turn " + index() + " is not a context turn");
            }
            move(Stage.DONE, allowedFrom);
            cancelTimer();
        }

        TurnSpec spec() {
            return spec;
        }

        int index() {
            return spec.turnIndex();
        }

        Stage stage() {
            return stage;
        }

        boolean done() {
            return stage == Stage.DONE;
        }

        void startStreaming() {
            move(Stage.STREAMING, Stage.PLANNED);
        }

        void committing() {
            move(Stage.COMMITTING, Stage.STREAMING);
        }

        private void committed(String item) {
            move(Stage.COMMITTED, Stage.COMMITTING);
            itemId = item;
        }

        Optional<String> itemId() {
            return Optional.ofNullable(itemId);
        }

        /** The turn's result, once {@link #done()} (never for a context turn). */
        TurnResult result() {
            if (result == null) {
                throw new IllegalStateException("turn " + index() + " has no result (" + stage + ")");
            }
            return result;
        }

        /** Whether its checkpoint went to the listener (once only). */
        boolean reported() {
            return reported;
        }

        void markReported() {
            if (reported) {
                throw new IllegalStateException("turn " + index() + " was checkpointed already");
            }
            reported = true;
        }

        /** How the conversation before this turn was restored, when its connection resumed the run at this turn. */
        Optional<String> contextNote() {
            return contextNote;
        }

        void noteContext(Optional<String> note) {
            contextNote = note;
        }

        /** The turn has its result; {@code allowedFrom} are the stages this kind of result may end. */
        void finish(TurnResult value, Stage... allowedFrom) {
            if (context) {
                throw new IllegalStateException("context turn " + index() + " has its result from an earlier connection");
            }
            move(Stage.DONE, allowedFrom);
            result = value;
            cancelTimer();
        }

        /** The last piece of this turn's audio arrived. */
        void endOfAudio() {
            if (endSeen) {
                throw new IllegalStateException("turn " + index() + ": its audio ended twice");
            }
            endSeen = true;
        }

        boolean endSeen() {
            return endSeen;
        }

        void appended(long bytes) {
            bytesAppended += bytes;
        }

        long bytesAppended() {
            return bytesAppended;
        }

        void waitForItem(ScheduledFuture<?> timer) {
            cancelTimer();
            itemTimer = timer;
        }

        void cancelTimer() {
            if (itemTimer != null) {
                itemTimer.cancel(false);
                itemTimer = null;
            }
        }

        private void move(Stage target, Stage... allowedFrom) {
            if (Arrays.asList(allowedFrom).contains(stage)) {
                stage = target;
                return;
            }
            throw new IllegalStateException("turn " + index() + " cannot move from " + stage + " to " + target);
        }
    }

    private final Map<Integer, Turn> turns = new TreeMap<>();
    private final Map<String, Turn> byItem = new HashMap<>();
    private final Map<String, ServerEvent> earlyItemEvents = new HashMap<>();

    /** @param contextTurns indexes of the turns whose audio is here only as conversation context */
    TurnLedger(List<TurnSpec> specs, Set<Integer> contextTurns) {
        specs.forEach(spec -> turns.put(spec.turnIndex(), new Turn(spec, contextTurns.contains(spec.turnIndex()))));
    }

    /** Adds a live run's next turns, after every turn it has. */
    void add(List<TurnSpec> specs) {
        int last = turns.isEmpty() ? -1 : ((TreeMap<Integer, Turn>) turns).lastKey();
        for (TurnSpec spec : specs) {
            if (spec.turnIndex() <= last) {
                throw new IllegalArgumentException("turn " + spec.turnIndex() + " does not follow turn " + last);
            }
            turns.put(spec.turnIndex(), new Turn(spec, false));
            last = spec.turnIndex();
        }
    }

    Optional<Turn> turn(int index) {
        return Optional.ofNullable(turns.get(index));
    }

    boolean isEmpty() {
        return turns.isEmpty();
    }

    int size() {
        return turns.size();
    }

    Collection<Turn> all() {
        return turns.values();
    }

    /** The provider committed {@code turn}'s audio as {@code itemId}. */
    void committed(Turn turn, String itemId) {
        turn.committed(itemId);
        byItem.put(itemId, turn);
    }

    Optional<Turn> forItem(String itemId) {
        return Optional.ofNullable(byItem.get(itemId));
    }

    /** A transcription event for an item whose {@code committed} may still be queued. */
    void holdEarly(String itemId, ServerEvent event) {
        if (earlyItemEvents.size() < EARLY_EVENTS_HELD) {
            earlyItemEvents.put(itemId, event);
        }
    }

    Optional<ServerEvent> takeEarly(String itemId) {
        return Optional.ofNullable(earlyItemEvents.remove(itemId));
    }

    /** No committed item is still waiting for its transcription. */
    boolean noItemPending() {
        return turns.values().stream().noneMatch(t -> t.stage() == Stage.COMMITTED);
    }

    boolean allDone() {
        return turns.values().stream().allMatch(Turn::done);
    }

    /** Turns whose end never arrived. */
    List<Integer> withoutEnd() {
        return turns.values().stream().filter(t -> !t.endSeen()).map(Turn::index).toList();
    }

    /** Every turn's result (context turns have theirs from an earlier connection), in turn order; only when {@link #allDone()}. */
    List<TurnResult> results() {
        if (!allDone()) {
            throw new IllegalStateException("not every turn has its result");
        }
        return turns.values().stream().filter(t -> !t.context).map(t -> t.result).toList();
    }

    /** Whether every turn is context: nothing new to send. */
    boolean onlyContext() {
        return turns.values().stream().allMatch(Turn::context);
    }

    void cancelTimers() {
        turns.values().forEach(Turn::cancelTimer);
    }
}
