package dev.streamscribe.realtime.driver;

import dev.streamscribe.realtime.driver.TurnLedger.Turn;
import dev.streamscribe.realtime.event.ErrorInfo;
import dev.streamscribe.realtime.event.ServerEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A session's responses: the one being streamed (at most one is active: the driver never asks for a second while
 * one runs), its text as the deltas arrive, and the result of every response asked for so far.
 *
 * <p>Threading: touched only on the session's serial executor, like {@link SessionRun}.
 */
final class ResponseTracker {
    private static final class Active {
        final Turn turn;
        final Optional<String> context;
        String responseId;
        final StringBuilder text = new StringBuilder();
        final StringBuilder audioTranscript = new StringBuilder();

        Active(Turn turn, Optional<String> context) {
            this.turn = turn;
            this.context = context;
        }
    }

    private final List<ResponseResult> results = new ArrayList<>();
    private Active active;

    /**
     * {@code response.create} went out for {@code turn}.
     *
     * @param context how the turn's conversation was restored, when its connection resumed the run there
     */
    void requested(Turn turn, Optional<String> context) {
        if (active != null) {
            throw new IllegalStateException("turn " + turn.index() + " asks for a response while turn "
                    + active.turn.index() + "'s is active");
        }
        active = new Active(turn, context);
    }

    boolean idle() {
        return active == null;
    }

    /** The turn whose response is active. */
    Turn activeTurn() {
        if (active == null) {
            throw new IllegalStateException("no response is active");
        }
        return active.turn;
    }

    boolean activeFor(Turn turn) {
        return active != null && active.turn == turn;
    }

    /** {@code response.created}: the active response's id, from now on the key of its events. */
    void created(String responseId) {
        if (active != null && active.responseId == null) {
            active.responseId = responseId;
        }
    }

    /** A text delta; one without a response id ("") belongs to the active response (only one is ever active). */
    void textDelta(String responseId, String delta) {
        if (active != null && (responseId.isEmpty() || responseId.equals(active.responseId))) {
            active.text.append(delta);
        }
    }

    void audioTranscriptDelta(String responseId, String delta) {
        if (active != null && (responseId.isEmpty() || responseId.equals(active.responseId))) {
            active.audioTranscript.append(delta);
        }
    }

    /** Whether a {@code response.done} with {@code responseId} ends the active response. */
    boolean ends(String responseId) {
        return active != null && (active.responseId == null || active.responseId.equals(responseId));
    }

    /** The active response is done; deltas win over the done event's own text when both are there. */
    void done(ServerEvent.ResponseDone done, Optional<String> providerSession) {
        String text = !active.text.isEmpty() ? active.text.toString() : done.text();
        String transcript = !active.audioTranscript.isEmpty() ? active.audioTranscript.toString() : done.audioTranscript();
        results.add(ResponseResult.done(active.turn.index(), done.responseId(), done.status(), done.statusReason(),
                done.error(), text, transcript, done.usage(), active.turn.itemId(), providerSession, active.context));
        active = null;
    }

    /** An {@code error} answered the active response's {@code response.create}. */
    void failed(ErrorInfo error, Optional<String> providerSession) {
        results.add(ResponseResult.failed(active.turn.index(), Optional.ofNullable(active.responseId), error,
                active.turn.itemId(), providerSession, active.context));
        active = null;
    }

    /** The turn's commit was refused, so its response was never asked for. */
    void neverAsked(int turnIndex, ErrorInfo error, Optional<String> providerSession, Optional<String> context) {
        results.add(ResponseResult.failed(turnIndex, Optional.empty(), error, Optional.empty(), providerSession, context));
    }

    /** The result of turn {@code turnIndex}'s response, once it has one. */
    Optional<ResponseResult> of(int turnIndex) {
        return results.stream().filter(r -> r.turnIndex() == turnIndex).findFirst();
    }

    List<ResponseResult> results() {
        return results;
    }
}
