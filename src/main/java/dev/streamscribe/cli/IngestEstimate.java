package dev.streamscribe.cli;

import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.cost.CostEstimate;
import dev.streamscribe.ingest.AudioIngestor;
import dev.streamscribe.ingest.IngestJob;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ingest --estimate}: each file decoded and cut into turns as ingest would, priced with the price table,
 * nothing published (no Kafka needed). One line per file on stdout (or a JSON object with --json), a summary on
 * stderr (and a last JSON object). Exit code 0 when every file could be read, 1 otherwise.
 */
final class IngestEstimate {
    private final PipelineConfig config;
    private final AudioIngestor.Settings settings;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;

    IngestEstimate(PipelineConfig config, AudioIngestor.Settings settings, PrintWriter out, PrintWriter err,
                   boolean json) {
        this.config = config;
        this.settings = settings;
        this.out = out;
        this.err = err;
        this.json = json;
    }

    int run(List<Path> inputs) {
        IngestJob.Expanded expanded = IngestJob.expand(inputs);
        List<IngestJob.Failure> failures = new ArrayList<>(expanded.failures());
        List<CostEstimate> estimates = new ArrayList<>();
        String provider = config.realtime().dialect().vendor();
        TranscriptionSettings transcription = settings.template().getTranscription();
        String model = transcription == null ? "(transcription off)" : transcription.getModel();
        for (Path file : expanded.files()) {
            AudioIngestor.Planned planned;
            try {
                planned = AudioIngestor.plan(settings, file);
            } catch (IOException | RuntimeException e) {
                IngestJob.Failure failure = IngestJob.Failure.of(file, e.getMessage());
                failures.add(failure);
                if (json) {
                    JsonLines.print(out, IngestCommand.failedFields(failure));
                }
                continue;
            }
            CostEstimate estimate = CostEstimate.of(config.prices(), provider, model, planned.turnMs());
            estimates.add(estimate);
            print(planned, estimate);
        }
        summarize(estimates, failures, provider, model);
        return failures.isEmpty() ? 0 : 1;
    }

    private void print(AudioIngestor.Planned planned, CostEstimate estimate) {
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("event", "estimate");
            fields.put("file", planned.file().toString());
            fields.put("session_id", planned.sessionId());
            fields.put("audio_ms", planned.audioMs());
            fields.put("turns", planned.turnMs().size());
            fields.put("provider", estimate.provider());
            fields.put("model", estimate.model());
            fields.put("kind", estimate.kind().name());
            fields.put("cost_low", estimate.cost().map(CostEstimate.Range::low).orElse(null));
            fields.put("cost_high", estimate.cost().map(CostEstimate.Range::high).orElse(null));
            fields.put("currency", config.prices().currency());
            JsonLines.print(out, fields);
            return;
        }
        out.printf(Locale.ROOT, "%s  %8.1f s  %3d turn(s)  %s  %s%n", planned.sessionId(), planned.audioMs() / 1000.0,
                planned.turnMs().size(), estimate.describe(config.prices().currency()), planned.file());
        out.flush();
    }

    private void summarize(List<CostEstimate> estimates, List<IngestJob.Failure> failures, String provider,
                           String model) {
        CostEstimate.Range total = CostEstimate.total(estimates);
        long audioMs = estimates.stream().mapToLong(CostEstimate::audioMs).sum();
        long unpriced = estimates.stream().filter(e -> e.cost().isEmpty()).count();
        boolean exact = estimates.stream().allMatch(e -> e.kind() == CostEstimate.Kind.EXACT);
        String currency = config.prices().currency();
        err.printf(Locale.ROOT, "estimate: %d file(s), %s of audio, %s/%s: %s; nothing published%n",
                estimates.size(), ProgressDisplay.duration(Duration.ofMillis(audioMs)), provider, model,
                CostEstimate.describeTotal(estimates, currency));
        err.println("  prices: " + config.prices().origin());
        failures.forEach(f -> err.println("  failed: " + f.message()));
        err.flush();
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("event", "summary");
            fields.put("files", estimates.size());
            fields.put("failed", failures.size());
            fields.put("audio_ms", audioMs);
            fields.put("provider", provider);
            fields.put("model", model);
            fields.put("exact", exact);
            fields.put("cost_low", total.low());
            fields.put("cost_high", total.high());
            fields.put("unpriced", unpriced);
            fields.put("currency", currency);
            JsonLines.print(out, fields);
        }
    }
}
