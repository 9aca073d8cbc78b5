package dev.streamscribe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.results.TopicReader;
import dev.streamscribe.testing.Cli;
import dev.streamscribe.testing.Commands;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.topology.PipelineTopics;
import dev.streamscribe.topology.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The producer contract proven from a second language: docs/examples/produce_session.py (Debian's
 * python3-confluent-kafka, librdkafka underneath) registers the schemas, publishes a recording's chunks and config
 * to the test broker, and the pipeline transcribes it like a session `ingest` published.
 */
class PythonProducerIT {
    private static final Path ROOT = Path.of(System.getProperty("streamscribe.project.dir", "."));
    private static final String PYTHON = "/usr/bin/python3";

    @Test
    void aSessionPublishedFromPythonIsTranscribedLikeOneFromIngest(@TempDir Path dir) throws Exception {
        boolean available = Commands.succeeds(PYTHON, "-c", "import confluent_kafka, avro, requests");
        if (System.getenv("CI") != null) {
            assertTrue(available, "CI must install python3-confluent-kafka python3-avro python3-requests (.ci/run)");
        }
        assumeTrue(available, "apt-get install python3-confluent-kafka python3-avro python3-requests");
        try (LocalRealtimeServer server = LocalRealtimeServer.start(
                LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()))) {
            List<String> flags = Cli.pipelineFlags("python-producer", dir.resolve("state"),
                    server.url(Dialect.OPENAI_GA).toString());
            PipelineConfig config = Cli.pipelineConfig(flags);
            Topics topics = PipelineTopics.connect(config, Map.of());
            PipelineTopics.prepare(config, topics); // the broker creates no topic on its own

            Process python = new ProcessBuilder(PYTHON, ROOT.resolve("docs/examples/produce_session.py").toString(),
                    "--bootstrap-servers", SharedInfrastructure.kafka().bootstrapServers(),
                    "--registry", SharedInfrastructure.registry().url(), "--schemas", ROOT.resolve("schemas").toString(),
                    "--topic-prefix", "python-producer.", "--turn-seconds", "3", "--chunk-kib", "16",
                    ROOT.resolve("samples/01-slt-weather.wav").toString()).redirectErrorStream(true).start();
            String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(python.waitFor(2, TimeUnit.MINUTES));
            assertEquals(0, python.exitValue(), output);
            JsonNode published = new ObjectMapper().readTree(output.lines().reduce((a, b) -> b).orElseThrow());
            String sessionId = published.path("session_id").asText();
            assertTrue(published.path("chunks").asInt() > 2, "several chunks: " + output);

            Cli.Result run = assertTimeoutPreemptively(Duration.ofSeconds(120),
                    () -> Cli.run(Cli.args("run", flags, "--exit-when-drained")));
            assertEquals(0, run.exitCode(), run.toString());
            Map<String, Object> clients = PipelineTopics.clientProperties(config);
            List<SessionResult> results = new ArrayList<>();
            try (TopicReader<SessionResult> reader = new TopicReader<>(clients, topics.sessionResults().name(),
                    topics.sessionResults().valueSerde().deserializer())) {
                reader.readToEnd((key, value) -> results.add(value));
            }
            assertEquals(1, results.size(), results.toString());
            assertEquals(sessionId, results.getFirst().getSessionId());
            assertEquals(SessionStatus.COMPLETED, results.getFirst().getStatus(), results.toString());
            assertEquals(published.path("run_token").asText(), results.getFirst().getRunToken());
            List<TranscriptionEvent> turns = new ArrayList<>();
            try (TopicReader<TranscriptionEvent> reader = new TopicReader<>(clients, topics.transcriptions().name(),
                    topics.transcriptions().valueSerde().deserializer())) {
                reader.readToEnd((key, value) -> turns.add(value));
            }
            assertEquals(2, turns.size(), "4.6 s of audio in turns of 3 s: " + turns);
        }
    }
}
