package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.TurnSpec;

import java.util.List;

/** A finished session attempt, waiting for the CompletionDrain to write its records. */
record CompletedAttempt(String sessionId, String runToken, int attempt, SessionConfig config, List<TurnSpec> turns,
                        long audioMs, long startedAtMs, SessionOutcome outcome) {
}
