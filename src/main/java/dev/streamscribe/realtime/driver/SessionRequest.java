package dev.streamscribe.realtime.driver;

import dev.streamscribe.avro.SessionConfig;

import java.util.List;
import java.util.Objects;

/** One attempt of one run of a session: what the driver needs besides the audio. */
public record SessionRequest(String sessionId, String runToken, int attempt, SessionConfig config,
                             List<TurnSpec> turns) {
    public SessionRequest {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(runToken, "runToken");
        Objects.requireNonNull(config, "config");
        turns = List.copyOf(turns);
        for (int i = 0; i < turns.size(); i++) {
            if (turns.get(i).turnIndex() != i) {
                throw new IllegalArgumentException("turns must be numbered 0..n-1 in order; turn " + i + " has index "
                        + turns.get(i).turnIndex());
            }
        }
    }

    /** Whether turn {@code index} asks for a response, per the config's ResponseRequest (empty list = every turn). */
    public static boolean respondsTo(SessionConfig config, int index) {
        return config.getResponse() != null
                && (config.getResponse().getTurns().isEmpty() || config.getResponse().getTurns().contains(index));
    }
}
