package dev.streamscribe.topology;

import dev.streamscribe.realtime.driver.TurnSpec;

/**
 * A turn whose audio started going to the provider, reported by the driver, waiting for the CompletionDrain to count
 * it in the run's audio progress ({@link TurnResults.Progress}): how far the provider has been given the run's audio,
 * and how much of it more than once.
 *
 * @param asContext an earlier turn's audio re-sent to restore a resumed conversation
 */
record StreamingTurn(String sessionId, String runToken, int connection, TurnSpec turn, boolean asContext) {
}
