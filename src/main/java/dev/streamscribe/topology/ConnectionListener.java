package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.cost.SpendLedger;
import dev.streamscribe.realtime.driver.BilledCall;
import dev.streamscribe.realtime.driver.TurnCheckpoint;
import dev.streamscribe.realtime.driver.TurnListener;
import dev.streamscribe.realtime.driver.TurnSpec;

import java.util.Optional;

/**
 * What one provider connection of a run tells the pipeline while it goes on: each finished turn (checkpointed by
 * the drain), each turn it starts streaming (audio progress; the provider is there), and each call the provider
 * billed (the application id's spend).
 *
 * <p>Threading: called on the session's serial executor (see {@link TurnListener}); hands over to the task's
 * thread-safe queues and the thread-safe spend ledger only.
 *
 * @param config the config as the provider was asked (its names for the models)
 */
record ConnectionListener(String sessionId, String runToken, int attempt, int connection, SessionConfig config,
                          ServedBy served, ProviderGate provider, TaskQueues queues, SpendLedger spend)
        implements TurnListener {
    @Override
    public void finished(TurnCheckpoint checkpoint) {
        queues.turnFinished(new FinishedTurn(sessionId, runToken, attempt, connection, config, checkpoint, served));
    }

    @Override
    public void streaming(TurnSpec turn, boolean asContext) {
        provider.breaker().succeeded(); // configured and taking audio: the provider is there
        queues.turnStreaming(new StreamingTurn(sessionId, runToken, connection, turn, asContext));
    }

    @Override
    public void billed(BilledCall call) {
        if (!spend.budget().limited()) {
            return;
        }
        spend.charge(switch (call.kind()) {
            case TRANSCRIPTION -> served.pricing().transcription(Optional.ofNullable(config.getTranscription())
                    .map(TranscriptionSettings::getModel), call.usage(), call.audioMs());
            case RESPONSE -> served.pricing().response(Optional.ofNullable(config.getModel()), call.usage());
        }, System.currentTimeMillis());
    }
}
