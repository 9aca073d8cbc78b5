package dev.streamscribe.cli;

import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.cost.CostEstimate;
import dev.streamscribe.results.ReplayPlan;
import dev.streamscribe.results.ResultCollector;
import dev.streamscribe.results.SessionTranscript;

import java.util.Comparator;
import java.util.List;

/**
 * What replaying one session will cost: its previous run's turns (each a commit; turns that were too short to send,
 * SKIPPED, are not sent again either), priced for the model the replay asks for. A previous run whose turn events
 * cannot be found (purged, or never written) is priced as one turn of its audio.
 */
final class ReplayEstimates {
    private ReplayEstimates() {
    }

    static CostEstimate of(ReplayPlan.Replay replay, ResultCollector results, PipelineConfig config) {
        TranscriptionSettings transcription = replay.config().getTranscription();
        String model = transcription == null ? "(transcription off)" : transcription.getModel();
        List<Long> turnMs = results.transcript(replay.config().getSessionId())
                .filter(transcript -> transcript.result().getRunToken().equals(replay.previous().getRunToken()))
                .map(SessionTranscript::turns).orElse(List.of()).stream()
                .filter(turn -> turn.getStatus() != TurnStatus.SKIPPED)
                .sorted(Comparator.comparingInt(TranscriptionEvent::getTurnIndex))
                .map(turn -> turn.getTurnEndMs() - turn.getTurnStartMs())
                .toList();
        if (turnMs.isEmpty()) {
            turnMs = List.of(replay.previous().getAudioMs());
        }
        return CostEstimate.of(config.prices(), config.realtime().dialect().vendor(), model, turnMs);
    }
}
