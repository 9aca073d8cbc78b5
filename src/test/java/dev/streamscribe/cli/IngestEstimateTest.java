package dev.streamscribe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamscribe.testing.Cli;
import dev.streamscribe.testing.TestWavs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ingest --estimate}: decodes and cuts turns as ingest would, prices them with the price table, publishes
 * nothing (the configuration's broker is never contacted: it does not exist here).
 */
class IngestEstimateTest {
    private static final Path CONFIG = Path.of(System.getProperty("streamscribe.project.dir", "."))
            .resolve("topologies/transcribe.properties");
    private static final TestWavs.Tone TONE = new TestWavs.Tone(440, 0.5);

    private static Cli.Result estimate(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("ingest", "--estimate", "--config", CONFIG.toString(),
                "--set", "bootstrap.servers=127.0.0.1:1", "--json"));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    private static List<JsonNode> lines(Cli.Result run) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> nodes = new java.util.ArrayList<>();
        for (String line : run.out().lines().toList()) {
            nodes.add(json.readTree(line));
        }
        return nodes;
    }

    @Test
    void aDurationBilledModelIsPricedExactlyWithEachTurnRoundedUpAsOneCommit(@TempDir Path dir) throws Exception {
        // no silence: turns are cut at --max-turn-seconds, 30 + 30 + 5.3 s, billed 30 + 30 + 6 s
        Path wav = TestWavs.write(dir.resolve("tone.wav"), 24_000, 16, 1, false, 65.3, TONE);
        Cli.Result run = estimate("--transcription-model", "whisper-1", "--max-turn-seconds", "30", wav.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<JsonNode> out = lines(run);
        JsonNode file = out.getFirst();
        assertEquals("estimate", file.get("event").asText());
        assertEquals(3, file.get("turns").asInt());
        assertEquals(65_300, file.get("audio_ms").asLong());
        assertEquals("EXACT", file.get("kind").asText());
        assertEquals(66 * 0.006 / 60, file.get("cost_low").asDouble(), 1e-9);
        assertEquals(file.get("cost_low").asDouble(), file.get("cost_high").asDouble(), 0);
        JsonNode summary = out.getLast();
        assertTrue(summary.get("exact").asBoolean());
        assertEquals("USD", summary.get("currency").asText());
        assertTrue(run.err().contains("nothing published"), run.err());
    }

    @Test
    void aTokenBilledModelGetsARangeAroundTheProvidersEstimate(@TempDir Path dir) throws Exception {
        Path wav = TestWavs.write(dir.resolve("minute.wav"), 48_000, 16, 2, false, 60, TONE);
        Cli.Result run = estimate("--transcription-model", "gpt-4o-transcribe", wav.toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode file = lines(run).getFirst();
        assertEquals("RANGE", file.get("kind").asText());
        assertEquals(0.003, file.get("cost_low").asDouble(), 1e-9);
        assertEquals(0.012, file.get("cost_high").asDouble(), 1e-9);
    }

    @Test
    void aModelWithoutAPriceIsUnknownNotFree(@TempDir Path dir) throws Exception {
        Path wav = TestWavs.write(dir.resolve("short.wav"), 24_000, 16, 1, false, 3, TONE);
        Cli.Result run = estimate("--transcription-model", "some-new-model", wav.toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode file = lines(run).getFirst();
        assertEquals("UNKNOWN_MODEL", file.get("kind").asText());
        assertTrue(file.get("cost_low").isNull());
        assertEquals(1, lines(run).getLast().get("unpriced").asInt());
    }

    @Test
    void aBrokenFileFailsAloneAndTheOthersAreEstimated(@TempDir Path dir) throws Exception {
        Path good = TestWavs.write(dir.resolve("good.wav"), 24_000, 16, 1, false, 2, TONE);
        Path broken = Files.writeString(dir.resolve("broken.wav"), "not a wav");
        Cli.Result run = estimate("--transcription-model", "whisper-1", good.toString(), broken.toString());
        assertEquals(1, run.exitCode());
        List<JsonNode> out = lines(run);
        assertTrue(out.stream().anyMatch(n -> n.get("event").asText().equals("failed")
                && n.get("file").asText().equals(broken.toString())), run.out());
        assertEquals(1, out.getLast().get("files").asInt());
        assertEquals(1, out.getLast().get("failed").asInt());
    }

    @Test
    void aMalformedPriceTableFailsBeforeAnythingIsRead(@TempDir Path dir) throws Exception {
        Path prices = Files.writeString(dir.resolve("prices.json"), "{\"format\": 1, \"currency\": \"USD\", \"prices\": "
                + "[{\"provider\": \"openai\", \"model\": \"whisper-1\", \"billing\": \"DURATION\", \"perMinute\": -1, "
                + "\"source\": \"mine\", \"asOf\": \"2026-12-01\"}]}");
        Path wav = TestWavs.write(dir.resolve("short.wav"), 24_000, 16, 1, false, 1, TONE);
        Cli.Result run = estimate("--set", "pricing.file=" + prices, wav.toString());
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("pricing.file") && run.err().contains("prices[0] (openai/whisper-1)")
                && run.err().contains("perMinute"), run.err());
    }
}
