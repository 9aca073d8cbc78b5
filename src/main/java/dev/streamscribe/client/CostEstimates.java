package dev.streamscribe.client;

import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.cost.CostEstimate;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What transcribing a session will cost, before anything is published (the producer API's {@code ingest --estimate}):
 * the session's turns priced for its transcription model with the pipeline's price table (the bundled one, or
 * {@code pricing.file}; docs/operations.md section 7). Exact for duration billing (each turn is one commit), a
 * stated range for token billing, unknown for a model without a price. Needs no Kafka.
 *
 * <p>Threading: stateless.
 */
public final class CostEstimates {
    private CostEstimates() {
    }

    /** With the pipeline's own configuration keys, as {@link SessionPublisher#connect(Map)} takes them. */
    public static CostEstimate of(Map<String, String> settings, SessionSpec spec, List<Duration> turns) {
        return of(ProducerSettings.load(settings, System.getenv()), spec, turns);
    }

    /** With a loaded configuration. */
    public static CostEstimate of(PipelineConfig config, SessionSpec spec, List<Duration> turns) {
        TranscriptionSettings transcription = spec.config().getTranscription();
        String model = transcription == null ? "(transcription off)" : transcription.getModel();
        return CostEstimate.of(config.prices(), config.realtime().dialect().vendor(), model,
                turns.stream().map(Duration::toMillis).toList());
    }
}
