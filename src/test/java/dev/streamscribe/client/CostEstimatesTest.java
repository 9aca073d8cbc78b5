package dev.streamscribe.client;

import dev.streamscribe.cost.CostEstimate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The producer API's estimate: no Kafka, the pipeline's price table, the session's model. */
class CostEstimatesTest {
    private static final Map<String, String> SETTINGS = Map.of("bootstrap.servers", "127.0.0.1:1",
            "schema.registry.url", "http://127.0.0.1:1");

    private static SessionSpec spec(String model) {
        var config = SessionSpec.configTemplate().build();
        config.getTranscription().setModel(model);
        return SessionSpec.builder("call-1").config(config).build();
    }

    @Test
    void aDurationBilledSessionIsPricedPerTurnAsCommitsAreBilled() {
        CostEstimate estimate = CostEstimates.of(SETTINGS, spec("whisper-1"),
                List.of(Duration.ofMillis(5_058), Duration.ofSeconds(1)));
        assertEquals(CostEstimate.Kind.EXACT, estimate.kind());
        assertEquals(7 * 0.006 / 60, estimate.cost().orElseThrow().low(), 1e-12, "6 s + 1 s");
        assertEquals(6_058, estimate.audioMs());
    }

    @Test
    void thePipelinesOwnPriceTableIsUsed(@TempDir Path dir) throws Exception {
        Path prices = Files.writeString(dir.resolve("prices.json"), "{\"format\": 1, \"currency\": \"EUR\", \"prices\": "
                + "[{\"provider\": \"openai\", \"model\": \"house-model\", \"billing\": \"DURATION\", \"perMinute\": 0.6,"
                + " \"source\": \"our contract\", \"asOf\": \"2026-12-01\"}]}");
        Map<String, String> settings = new java.util.HashMap<>(SETTINGS);
        settings.put("pricing.file", prices.toString());
        CostEstimate estimate = CostEstimates.of(settings, spec("house-model"), List.of(Duration.ofMinutes(2)));
        assertEquals(1.2, estimate.cost().orElseThrow().low(), 1e-12);
        assertEquals(CostEstimate.Kind.UNKNOWN_MODEL, CostEstimates.of(settings, spec("whisper-1"),
                List.of(Duration.ofMinutes(2))).kind(), "the operator's table replaces the bundled one");
    }
}
