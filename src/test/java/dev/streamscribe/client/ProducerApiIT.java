package dev.streamscribe.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamscribe.audio.AudioFileDecoder.RawFormat;
import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.results.TopicReader;
import dev.streamscribe.testing.Cli;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.topology.PipelineTopics;
import dev.streamscribe.topology.Topic;
import dev.streamscribe.topology.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The producer API against the test broker and registry, with the pipeline transcribing what it published: the
 * runnable example (docs/examples/PublishSession.java, run from the production jar as its comment says), and aborted
 * and abandoned sessions ending at once instead of at the pipeline's 10-minute idle timeout.
 */
class ProducerApiIT {
    private static final Path ROOT = Path.of(System.getProperty("streamscribe.project.dir", "."));
    private static final Path JAR = ROOT.resolve("target/streamscribe.jar");

    /** What a producer service needs to know of the pipeline: where Kafka, the registry and its topics are. */
    private static Map<String, String> producerSettings(String name) {
        return Map.of("bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers(),
                "schema.registry.url", SharedInfrastructure.registry().url(), "topic.prefix", name + ".",
                "topic.partitions", "2");
    }

    /** samples/01-slt-weather.wav (24 kHz mono) as 48 kHz stereo, the layout of a typical capture device. */
    private static Path stereo48k(Path file) throws IOException, javax.sound.sampled.UnsupportedAudioFileException {
        byte[] mono;
        try (AudioInputStream in = AudioSystem.getAudioInputStream(ROOT.resolve("samples/01-slt-weather.wav").toFile())) {
            mono = in.readAllBytes();
        }
        byte[] stereo = new byte[mono.length * 4];
        for (int i = 0; i + 1 < mono.length; i += 2) {
            for (int copy = 0; copy < 4; copy++) { // each sample twice in time, in both channels
                stereo[i * 4 + copy * 2] = mono[i];
                stereo[i * 4 + copy * 2 + 1] = mono[i + 1];
            }
        }
        AudioFormat format = new AudioFormat(48_000, 16, 2, true, false);
        try (AudioInputStream out = new AudioInputStream(new ByteArrayInputStream(stereo), format, stereo.length / 4)) {
            AudioSystem.write(out, AudioFileFormat.Type.WAVE, file.toFile());
        }
        return file;
    }

    private static <V> List<V> readAll(PipelineConfig config, Topic<?, V> topic) {
        List<V> values = new java.util.ArrayList<>();
        try (TopicReader<V> reader = new TopicReader<>(PipelineTopics.clientProperties(config), topic.name(),
                topic.valueSerde().deserializer())) {
            reader.readToEnd((key, value) -> values.add(value));
        }
        return values;
    }

    private static void drain(List<String> flags) {
        Cli.Result run = assertTimeoutPreemptively(Duration.ofSeconds(120),
                () -> Cli.run(Cli.args("run", flags, "--exit-when-drained")),
                "the pipeline waits for no session: each has its result (its idle timeout is 10 minutes)");
        assertEquals(0, run.exitCode(), run.toString());
    }

    @Test
    void theExampleProgramPublishesARecordingInItsOwnLayoutTurnByTurnAndThePipelineTranscribesEachTurn(
            @TempDir Path dir) throws Exception {
        assertTrue(Files.isRegularFile(JAR), "the production jar is built before the integration tests");
        try (LocalRealtimeServer server = LocalRealtimeServer.start(
                LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()))) {
            List<String> flags = Cli.pipelineFlags("producer-example", dir.resolve("state"),
                    server.url(Dialect.OPENAI_GA).toString());
            Path settings = dir.resolve("pipeline.properties");
            Files.writeString(settings, producerSettings("producer-example").entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")));
            Path recording = stereo48k(dir.resolve("call.wav"));

            Process example = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", JAR.toString(), ROOT.resolve("docs/examples/PublishSession.java").toString(),
                    settings.toString(), "call-4711", recording.toString(), "2").redirectError(dir.resolve("stderr").toFile())
                    .start();
            String output = new String(example.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(example.waitFor(2, TimeUnit.MINUTES));
            assertEquals(0, example.exitValue(), output + Files.readString(dir.resolve("stderr")));
            JsonNode published = new ObjectMapper().readTree(output.strip());
            assertEquals("call-4711", published.path("session_id").asText());
            assertEquals(3, published.path("turns").asInt(), "4.6 s in turns of 2 s: " + output);
            assertEquals(4_600, published.path("audio_ms").asLong(), 25, "48 kHz stereo resampled to 24 kHz mono");

            drain(flags);
            PipelineConfig config = Cli.pipelineConfig(flags);
            Topics topics = PipelineTopics.connect(config, Map.of());
            List<SessionResult> results = readAll(config, topics.sessionResults());
            assertEquals(1, results.size(), results.toString());
            assertEquals(SessionStatus.COMPLETED, results.getFirst().getStatus(), results.toString());
            assertEquals(published.path("run_token").asText(), results.getFirst().getRunToken());
            List<TranscriptionEvent> turns = readAll(config, topics.transcriptions());
            assertEquals(List.of(0, 1, 2), turns.stream().map(TranscriptionEvent::getTurnIndex).sorted().toList());
        }
    }

    @Test
    void abortedAndAbandonedSessionsEndAtOnceAsAbortedWhileTheOthersRun(@TempDir Path dir) throws Exception {
        try (LocalRealtimeServer server = LocalRealtimeServer.start(
                LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()))) {
            List<String> flags = Cli.pipelineFlags("producer-abort", dir.resolve("state"),
                    server.url(Dialect.OPENAI_GA).toString());
            RawFormat own = RawFormat.pcm16Mono24k();
            String wholeToken;
            SessionStream abandoned;
            try (SessionPublisher publisher = SessionPublisher.connect(producerSettings("producer-abort"))) {
                SessionStream whole = publisher.open(SessionSpec.builder("whole").chunkBytes(16 * 1024).build());
                whole.append(TestAudio.turnAudio(0, 1_500), own);
                whole.endTurn();
                whole.append(TestAudio.turnAudio(1, 1_000), own);
                wholeToken = whole.end().runToken();

                SessionStream aborted = publisher.open(SessionSpec.builder("aborted").chunkBytes(16 * 1024).build());
                aborted.append(TestAudio.turnAudio(0, 2_000), own);
                aborted.abort("the upstream call dropped");

                abandoned = publisher.open(SessionSpec.builder("abandoned").chunkBytes(16 * 1024).build());
                abandoned.append(TestAudio.turnAudio(0, 2_000), own);
            } // closing the publisher aborts what is still open
            assertEquals(SessionStream.State.ABORTED, abandoned.state());

            drain(flags);
            PipelineConfig config = Cli.pipelineConfig(flags);
            Topics topics = PipelineTopics.connect(config, Map.of());
            Map<String, SessionResult> results = new HashMap<>();
            readAll(config, topics.sessionResults()).forEach(result -> results.put(result.getSessionId(), result));
            assertEquals(3, results.size(), results.toString());
            assertEquals(SessionStatus.COMPLETED, results.get("whole").getStatus());
            assertEquals(wholeToken, results.get("whole").getRunToken());
            for (String id : List.of("aborted", "abandoned")) {
                assertEquals(SessionStatus.EXPIRED, results.get(id).getStatus(), id);
                assertEquals("ABORTED", results.get(id).getReason(), id);
            }
            assertTrue(results.get("aborted").getMessage().contains("the upstream call dropped"),
                    results.get("aborted").getMessage());
            assertTrue(results.get("abandoned").getMessage().contains("closed before end()"),
                    results.get("abandoned").getMessage());
            List<DeadLetter> letters = readAll(config, topics.deadLetters());
            assertTrue(letters.isEmpty(), "an abort is no rejected input: " + letters);
            assertEquals(2, readAll(config, topics.transcriptions()).size(), "only the whole session ran: two turns");
        }
    }
}
