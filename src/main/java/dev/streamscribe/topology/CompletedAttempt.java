package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.TurnSpec;

import java.util.List;
import java.util.Optional;

/**
 * A finished session attempt, waiting for the CompletionDrain to write its records.
 *
 * @param connection the run's connection number it came from: an outcome of an older connection is dropped
 * @param config        the config as its provider was asked (the provider's names for the models)
 * @param served        the provider that served it (for a run no provider served, the primary one)
 * @param breakerTicket for a connection-level failure, its number at the served provider's {@link ProviderBreaker}:
 *                      the drain asks whether it was part of that provider's outage
 */
record CompletedAttempt(String sessionId, String runToken, int attempt, int connection, SessionConfig config,
                        List<TurnSpec> turns, long audioMs, long startedAtMs, SessionOutcome outcome, ServedBy served,
                        Optional<ProviderBreaker.Ticket> breakerTicket) {
    CompletedAttempt(String sessionId, String runToken, int attempt, int connection, SessionConfig config,
                     List<TurnSpec> turns, long audioMs, long startedAtMs, SessionOutcome outcome, ServedBy served) {
        this(sessionId, runToken, attempt, connection, config, turns, audioMs, startedAtMs, outcome, served,
                Optional.empty());
    }

    /** The same attempt with the run's whole plan (a live run's turns grew while it ran). */
    CompletedAttempt withTurns(List<TurnSpec> allTurns, long allAudioMs) {
        return new CompletedAttempt(sessionId, runToken, attempt, connection, config, allTurns, allAudioMs, startedAtMs,
                outcome, served, breakerTicket);
    }

    /** The same attempt with another outcome (a failure judged again: see CompletionDrain). */
    CompletedAttempt withOutcome(SessionOutcome other) {
        return new CompletedAttempt(sessionId, runToken, attempt, connection, config, turns, audioMs, startedAtMs, other,
                served, breakerTicket);
    }
}
