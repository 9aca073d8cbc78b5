package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.TurnSpec;

import java.util.List;

/**
 * A finished session attempt, waiting for the CompletionDrain to write its records.
 *
 * @param connection the run's connection number it came from: an outcome of an older connection is dropped
 */
record CompletedAttempt(String sessionId, String runToken, int attempt, int connection, SessionConfig config,
                        List<TurnSpec> turns, long audioMs, long startedAtMs, SessionOutcome outcome) {
}
