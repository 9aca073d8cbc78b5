package dev.streamscribe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.ChildPipeline;
import dev.streamscribe.testing.Cli;
import dev.streamscribe.testing.TestWavs;
import dev.streamscribe.testing.TestWavs.Tone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * log.format=json, as an operator sets it: {@code run} in a child JVM writes one JSON object per line on standard
 * error (logback's JsonEncoder), and the line that reports a session's result carries its session id and run token
 * as fields, not only inside the message.
 */
class JsonLogFormatIT {
    @Test
    void runWritesJsonLinesWithTheSessionIdAndRunTokenOfEachSessionLine(@TempDir Path dir) throws Exception {
        try (LocalRealtimeServer server = LocalRealtimeServer.start(
                LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()))) {
            List<String> flags = Cli.pipelineFlags("json-log", dir.resolve("state"), server.url(Dialect.OPENAI_GA).toString());
            Path recording = TestWavs.write(dir.resolve("json.wav"), 24_000f, 16, 1, false, 1.5, new Tone(400, 0.5));
            Cli.Result ingest = Cli.run(Cli.args("ingest", flags, "--json", recording.toString()));
            assertEquals(0, ingest.exitCode(), ingest.toString());
            JsonNode ingested = new ObjectMapper().readTree(ingest.out().lines().findFirst().orElseThrow());

            Map<String, String> settings = Cli.settings(flags);
            settings.put("log.format", "json");
            Path stderr = dir.resolve("run.stderr");
            Process run = ChildPipeline.start(settings, stderr);
            try {
                Await.until(() -> read(stderr).contains("COMPLETED after"), Duration.ofSeconds(90),
                        "the child reports the session's result");
            } finally {
                run.destroy();
                run.waitFor(30, TimeUnit.SECONDS);
            }
            List<JsonNode> lines = new ArrayList<>();
            ObjectMapper json = new ObjectMapper();
            for (String line : Files.readAllLines(stderr)) {
                if (line.startsWith("WARNING:")) {
                    continue; // the JVM's own warnings (e.g. about native access) bypass logging
                }
                lines.add(json.readTree(line)); // throws unless every logged line is one JSON object
            }
            JsonNode result = lines.stream().filter(l -> l.path("formattedMessage").asText().contains("COMPLETED after"))
                    .findFirst().orElseThrow();
            assertEquals("INFO", result.path("level").asText());
            assertEquals(ingested.path("session_id").asText(), result.path("mdc").path("session_id").asText(), result.toString());
            assertEquals(ingested.path("run_token").asText(), result.path("mdc").path("run_token").asText(), result.toString());
            assertTrue(result.path("loggerName").asText().endsWith("CompletionDrain"), result.toString());
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
