package dev.streamscribe.realtime.driver;

import java.util.Objects;
import java.util.Optional;

/**
 * A turn that has every outcome it will get on this connection: its transcription (or the provider's failure), and
 * its response when the turn asked for one. What the pipeline checkpoints, so no later connection sends it again.
 */
public record TurnCheckpoint(TurnResult turn, Optional<ResponseResult> response) {
    public TurnCheckpoint {
        Objects.requireNonNull(turn, "turn");
        Objects.requireNonNull(response, "response");
        if (response.isPresent() && response.get().turnIndex() != turn.turnIndex()) {
            throw new IllegalArgumentException("turn " + turn.turnIndex() + " checkpointed with turn "
                    + response.get().turnIndex() + "'s response");
        }
    }
}
