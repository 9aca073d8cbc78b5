package dev.streamscribe.realtime.driver;

import dev.streamscribe.avro.SessionConfig;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One connection of one run of a session: what the driver needs besides the audio.
 *
 * @param turns   the run's turns whose audio this connection is given, in increasing turn order: all of them on the
 *                first connection; on a resumed one those without a result (turn checkpoints) and, in a session with
 *                responses, the finished ones before them that {@code context} restores (their audio is at hand in
 *                case the provider refuses the text)
 * @param context the finished turns a resumed conversation restores, in increasing turn order; empty for a first
 *                connection and for sessions without responses (transcription keeps no context)
 */
public record SessionRequest(String sessionId, String runToken, int attempt, SessionConfig config,
                             List<TurnSpec> turns, List<ContextTurn> context) {
    public SessionRequest {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(runToken, "runToken");
        Objects.requireNonNull(config, "config");
        turns = List.copyOf(turns);
        context = List.copyOf(context);
        for (int i = 0; i < turns.size(); i++) {
            if (turns.get(i).turnIndex() < 0 || (i > 0 && turns.get(i).turnIndex() <= turns.get(i - 1).turnIndex())) {
                throw new IllegalArgumentException("turns must have increasing, non-negative indexes; turn " + i
                        + " has index " + turns.get(i).turnIndex());
            }
        }
        Set<Integer> given = turns.stream().map(TurnSpec::turnIndex).collect(Collectors.toSet());
        for (int i = 0; i < context.size(); i++) {
            ContextTurn entry = context.get(i);
            if (i > 0 && entry.turnIndex() <= context.get(i - 1).turnIndex()) {
                throw new IllegalArgumentException("context turns must be in increasing order; entry " + i
                        + " has index " + entry.turnIndex());
            }
            if (entry.userText().isEmpty() && !given.contains(entry.turnIndex())) {
                throw new IllegalArgumentException("context turn " + entry.turnIndex() + " has no transcript, so its "
                        + "audio must be among the turns");
            }
        }
    }

    /** A request that restores no context: a first connection, or a session without responses. */
    public SessionRequest(String sessionId, String runToken, int attempt, SessionConfig config, List<TurnSpec> turns) {
        this(sessionId, runToken, attempt, config, turns, List.of());
    }

    /** Whether turn {@code index} asks for a response, per the config's ResponseRequest (empty list = every turn). */
    public static boolean respondsTo(SessionConfig config, int index) {
        return config.getResponse() != null
                && (config.getResponse().getTurns().isEmpty() || config.getResponse().getTurns().contains(index));
    }
}
