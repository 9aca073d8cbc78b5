package dev.streamscribe.realtime.driver;

import java.util.Objects;
import java.util.Optional;

/**
 * An earlier turn of a run with responses, finished on an earlier connection, that a resumed connection restores into
 * its conversation before the turns it sends (docs/architecture.md section 5, "Resume"): the user's part as text when
 * it has a transcript, else by re-sending the turn's audio (then the turn is in the request's turns, its results are
 * not reported again); the assistant's part as text when the response had any.
 *
 * @param userText      the turn's transcript; empty when it has none (failed, or transcription off)
 * @param assistantText the response's text or audio transcript; empty when no response was asked or it said nothing
 */
public record ContextTurn(int turnIndex, Optional<String> userText, Optional<String> assistantText) {
    public ContextTurn {
        Objects.requireNonNull(userText, "userText");
        Objects.requireNonNull(assistantText, "assistantText");
        userText = userText.filter(text -> !text.isBlank());
        assistantText = assistantText.filter(text -> !text.isBlank());
    }
}
