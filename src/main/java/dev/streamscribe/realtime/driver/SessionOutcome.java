package dev.streamscribe.realtime.driver;

import java.util.List;

/** What the driver returns for one session attempt: completed (with per-turn results) or a classified failure. */
public sealed interface SessionOutcome {
    List<String> providerSessionIds();

    /**
     * Every planned turn has a result (COMPLETED, FAILED or SKIPPED) and every requested response has one.
     *
     * @param rotations     how often the session moved to a new WebSocket (conversation context restarts then)
     * @param unknownEvents server events the dialect does not define, counted and ignored
     */
    record Completed(List<TurnResult> turns, List<ResponseResult> responses, List<String> providerSessionIds,
                     int rotations, int unknownEvents) implements SessionOutcome {
        public Completed {
            turns = List.copyOf(turns);
            responses = List.copyOf(responses);
            providerSessionIds = List.copyOf(providerSessionIds);
        }
    }

    /** The attempt failed; {@code classification} says whether a retry can help. Never TURN. */
    record Failed(Classification classification, List<String> providerSessionIds) implements SessionOutcome {
        public Failed {
            providerSessionIds = List.copyOf(providerSessionIds);
            if (classification.failureClass() == FailureClass.TURN) {
                throw new IllegalArgumentException("a session does not fail with a turn-level classification");
            }
        }
    }
}
