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
     * @param providerErrors {@code error} events the session went on after (not tied to our events, or harmless)
     */
    record Completed(List<TurnResult> turns, List<ResponseResult> responses, List<String> providerSessionIds,
                     int rotations, int unknownEvents, int providerErrors) implements SessionOutcome {
        public Completed {
            turns = List.copyOf(turns);
            responses = List.copyOf(responses);
            providerSessionIds = List.copyOf(providerSessionIds);
        }

        public Completed(List<TurnResult> turns, List<ResponseResult> responses, List<String> providerSessionIds,
                         int rotations, int unknownEvents) {
            this(turns, responses, providerSessionIds, rotations, unknownEvents, 0);
        }
    }

    /** The attempt failed; {@code classification} says whether a retry can help. Never TURN. */
    record Failed(Classification classification, List<String> providerSessionIds) implements SessionOutcome {
        public Failed {
            providerSessionIds = List.copyOf(providerSessionIds);
            if (classification.failureClass() == FailureClass.TURN || classification.failureClass() == FailureClass.NOTED) {
                throw new IllegalArgumentException("a session does not fail with a " + classification.failureClass()
                        + " classification");
            }
        }
    }
}
