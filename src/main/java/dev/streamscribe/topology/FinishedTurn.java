package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.driver.TurnCheckpoint;

/**
 * One turn with every outcome it gets (its transcription, and its response when it asked for one), reported by the
 * driver while its attempt goes on, waiting for the CompletionDrain to write its TranscriptionEvent and ResponseEvent
 * and checkpoint it in {@code turn-results}.
 *
 * @param connection the run's connection it came from: a turn of an older connection is dropped
 * @param config     the config as its provider was asked (the provider's names for the models)
 * @param served     the provider that served it
 */
record FinishedTurn(String sessionId, String runToken, int attempt, int connection, SessionConfig config,
                    TurnCheckpoint checkpoint, ServedBy served) {
}
