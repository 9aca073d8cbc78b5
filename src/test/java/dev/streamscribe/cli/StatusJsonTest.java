package dev.streamscribe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.cost.ChargeSum;
import dev.streamscribe.cost.CostEstimate;
import dev.streamscribe.metrics.InstanceStatus;
import dev.streamscribe.results.PipelineStatus;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatusJsonTest {
    private static final PipelineConfig CONFIG = ConfigLoader.load(Path.of(System.getProperty("streamscribe.project.dir",
            ".")).resolve("topologies/transcribe.properties"), Map.of(), Map.of());
    private static final long NOW = 1_800_000_000_000L;

    private static JsonNode parse(Map<String, Object> report) throws Exception {
        String line = JsonLines.line(report);
        assertFalse(line.contains("\n"), "one line: " + line);
        return new ObjectMapper().readTree(line);
    }

    private static PipelineStatus.Summary summary(long total, long done, long firstStartMs, long lastFinishMs) {
        return new PipelineStatus.Summary(total, done, 0, 0, 0, total - done, 0, 0, 0, 7_200_000, 10, 20, 30.5,
                firstStartMs, lastFinishMs, Map.of("AUDIO_GAP", 2L), 0, 0, PipelineStatus.Costs.none("USD"));
    }

    @Test
    void reportsLiveSessionsAndTheLongestTimeWithoutInput() throws Exception {
        PipelineStatus.Summary live = new PipelineStatus.Summary(3, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, Map.of(),
                2, NOW - 4_000, PipelineStatus.Costs.none("USD"));
        JsonNode report = parse(StatusJson.report(live, CONFIG, true, Optional.empty(), List.of(), NOW));
        assertEquals(2, report.path("sessions").path("live").asLong());
        assertEquals(4_000, report.path("live_longest_without_input_ms").asLong());
        JsonNode none = parse(StatusJson.report(summary(10, 4, NOW - 8_000, NOW), CONFIG, true, Optional.empty(),
                List.of(), NOW));
        assertTrue(none.path("live_longest_without_input_ms").isNull(), "no live session: null");
    }

    @Test
    void reportsCountsRateAndEtaAsNumbers() throws Exception {
        JsonNode report = parse(StatusJson.report(summary(10, 4, NOW - 8_000, NOW), CONFIG, true, Optional.empty(),
                List.of(), NOW));
        assertEquals(10, report.path("sessions").path("total").asLong());
        assertEquals(6, report.path("sessions").path("in_flight").asLong());
        assertEquals(6, report.path("sessions").path("remaining").asLong());
        assertEquals(0.5, report.path("rate").path("sessions_per_second").asDouble(), 1e-9);
        assertEquals(12, report.path("eta_seconds").asLong(), "6 sessions at 0.5 per second");
        assertEquals(2, report.path("dead_letters").path("AUDIO_GAP").asLong());
        assertEquals(30.5, report.path("usage").path("billed_seconds").asDouble(), 1e-9);
        assertEquals("2027-01-15T08:00:00Z", report.path("time").asText());
    }

    @Test
    void reportsWhatWasSpentAndTheProjectedRangeForTheAudioWithoutAResult() throws Exception {
        PipelineStatus.Costs costs = new PipelineStatus.Costs("USD", new ChargeSum(1.25, true, 3), 2, 600_000,
                new CostEstimate.Range(0.03, 0.12), false, 1);
        PipelineStatus.Summary s = new PipelineStatus.Summary(3, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, Map.of(),
                0, 0, costs);
        JsonNode cost = parse(StatusJson.report(s, CONFIG, true, Optional.empty(), List.of(), NOW)).path("cost");
        assertEquals("USD", cost.path("currency").asText());
        assertEquals(1.25, cost.path("spent").asDouble());
        assertTrue(cost.path("spent_estimated").asBoolean());
        assertEquals(3, cost.path("spent_unpriced_events").asLong());
        assertEquals(2, cost.path("results_without_cost").asLong());
        assertEquals(600_000, cost.path("projected_audio_ms").asLong());
        assertEquals(0.03, cost.path("projected_low").asDouble());
        assertEquals(0.12, cost.path("projected_high").asDouble());
        assertFalse(cost.path("projected_exact").asBoolean());
        assertEquals(1, cost.path("projected_unpriced_sessions").asLong());
    }

    @Test
    void saysEtaIsUnknownAsNullBeforeAnythingFinished() throws Exception {
        JsonNode report = parse(StatusJson.report(summary(3, 0, 0, 0), CONFIG, true, Optional.empty(), List.of(), NOW));
        assertTrue(report.path("eta_seconds").isNull(), report.toString());
        assertTrue(report.path("rate").path("sessions_per_second").isNull(), report.toString());
    }

    @Test
    void carriesTheRegistrysConditionAndEachInstancesAgeAndConditions() throws Exception {
        JsonNode report = parse(StatusJson.report(summary(1, 1, NOW - 1000, NOW), CONFIG, true,
                Optional.of("schema registry unavailable for 42 s"),
                List.of(new InstanceStatus("worker-1", "RUNNING", List.of("rate limited"), NOW - 90_000)), NOW));
        assertFalse(report.path("registry").path("reachable").asBoolean());
        assertEquals("schema registry unavailable for 42 s", report.path("registry").path("condition").asText());
        JsonNode instance = report.path("instances").get(0);
        assertEquals("worker-1", instance.path("instance").asText());
        assertEquals(90_000, instance.path("reported_ms_ago").asLong());
        assertTrue(instance.path("silent").asBoolean(), "silent for over a minute");
        assertEquals("rate limited", instance.path("conditions").get(0).asText());
    }
}
