package dev.streamscribe.realtime.driver;

import dev.streamscribe.avro.SessionConfig;

import java.util.List;
import java.util.Objects;

/**
 * One connection of one run of a session: what the driver needs besides the audio.
 *
 * @param turns the run's turns this connection sends, in increasing turn order: all of them on the first
 *              connection, only those without a result on a resumed one (turn checkpoints)
 */
public record SessionRequest(String sessionId, String runToken, int attempt, SessionConfig config,
                             List<TurnSpec> turns) {
    public SessionRequest {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(runToken, "runToken");
        Objects.requireNonNull(config, "config");
        turns = List.copyOf(turns);
        for (int i = 0; i < turns.size(); i++) {
            if (turns.get(i).turnIndex() < 0 || (i > 0 && turns.get(i).turnIndex() <= turns.get(i - 1).turnIndex())) {
                throw new IllegalArgumentException("turns must have increasing, non-negative indexes; turn " + i
                        + " has index " + turns.get(i).turnIndex());
            }
        }
    }

    /** Whether turn {@code index} asks for a response, per the config's ResponseRequest (empty list = every turn). */
    public static boolean respondsTo(SessionConfig config, int index) {
        return config.getResponse() != null
                && (config.getResponse().getTurns().isEmpty() || config.getResponse().getTurns().contains(index));
    }
}
