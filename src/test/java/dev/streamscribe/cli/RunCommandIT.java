package dev.streamscribe.cli;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.ChildPipeline;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import dev.streamscribe.topology.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code streamscribe run} in its own process against the real broker, registry and local server, stopped with SIGTERM. */
class RunCommandIT {
    private static final Path ROOT = Path.of(System.getProperty("streamscribe.project.dir", "."));

    @TempDir
    Path stateDir;

    @Test
    void shouldLetASessionInFlightFinishBeforeStoppingOnSigterm() throws Exception {
        var kafka = SharedInfrastructure.kafka();
        String prefix = "drain-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        // responses take 4 s: the session is in flight when SIGTERM arrives
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine())
                .withResponseDuration(Duration.ofSeconds(4)))) {
            Map<String, String> settings = Map.of("application.id", prefix + "app", "bootstrap.servers", kafka.bootstrapServers(),
                    "schema.registry.url", SharedInfrastructure.registry().url(), "realtime.url", server.url(Dialect.OPENAI_GA).toString(),
                    "topic.prefix", prefix, "topic.partitions", "1", "state.dir", stateDir.toString(), "operations.port", "0");
            Process process = launch(settings);
            try {
                var config = ConfigLoader.fromMap(settings, Map.of());
                Topics topics = Topics.create(config.topics(), SharedInfrastructure.registry().client());
                produce(kafka.bootstrapServers(), topics, TestConfigs.withResponses(Dialect.OPENAI_GA, "cli"));
                Await.until(() -> server.openSessions() > 0, Duration.ofSeconds(60), "the session to reach the provider");
                process.destroy(); // SIGTERM while the response is running
                assertTrue(process.waitFor(90, TimeUnit.SECONDS), "run stops on SIGTERM");
                assertEquals(0, process.exitValue(), "every session in flight finished: a clean stop");
                // the process is gone: everything it wrote is committed, so reading to the end sees all of it
                assertEquals(List.of(SessionStatus.COMPLETED), results(kafka.bootstrapServers(), topics),
                        "the session in flight finished and was written exactly once");
            } finally {
                process.destroyForcibly();
            }
        }
    }

    private static Process launch(Map<String, String> settings) throws Exception {
        return ChildPipeline.launch(settings);
    }

    private static void produce(String bootstrap, Topics topics, SessionConfig config) {
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap);
        try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(), topics.sessionConfigs().valueSerde().serializer());
             var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(), topics.audioChunks().valueSerde().serializer())) {
            configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), config.getSessionId(), config));
            chunks.send(new ProducerRecord<>(topics.audioChunks().name(), config.getSessionId(), AudioChunk.newBuilder()
                    .setSessionId(config.getSessionId()).setSeq(0).setTurnIndex(0).setAudio(ByteBuffer.wrap(TestAudio.turnAudio(0, 800)))
                    .setEndOfTurn(true).setEndOfSession(true).build()));
        }
    }

    private static List<SessionStatus> results(String bootstrap, Topics topics) {
        try (var watcher = watcher(bootstrap, topics)) {
            return watcher.readToEnd().values().stream().flatMap(List::stream).map(SessionResult::getStatus).toList();
        }
    }

    private static TopicWatcher<SessionResult> watcher(String bootstrap, Topics topics) {
        return new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", bootstrap), topics.sessionResults().name(),
                topics.sessionResults().valueSerde().deserializer());
    }

    @Test
    void shouldTranscribeASessionAndStopOnSigterm() throws Exception {
        var kafka = SharedInfrastructure.kafka();
        String prefix = "run-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()))) {
            Map<String, String> settings = Map.of("application.id", prefix + "app", "bootstrap.servers", kafka.bootstrapServers(),
                    "schema.registry.url", SharedInfrastructure.registry().url(), "realtime.url", server.url(Dialect.OPENAI_GA).toString(),
                    "topic.prefix", prefix, "topic.partitions", "1", "state.dir", stateDir.toString(), "operations.port", "0");
            Process process = launch(settings);
            try {
                var config = ConfigLoader.fromMap(settings, Map.of());
                Topics topics = Topics.create(config.topics(), SharedInfrastructure.registry().client());
                Map<String, Object> props = Map.of("bootstrap.servers", kafka.bootstrapServers());
                try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(), topics.sessionConfigs().valueSerde().serializer());
                     var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(), topics.audioChunks().valueSerde().serializer())) {
                    configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), "cli", TestConfigs.transcription(Dialect.OPENAI_GA, "cli")));
                    chunks.send(new ProducerRecord<>(topics.audioChunks().name(), "cli", AudioChunk.newBuilder().setSessionId("cli")
                            .setSeq(0).setTurnIndex(0).setAudio(ByteBuffer.wrap(TestAudio.turnAudio(0, 800)))
                            .setEndOfTurn(true).setEndOfSession(true).build()));
                }
                try (var watcher = watcher(kafka.bootstrapServers(), topics)) {
                    List<SessionResult> results = watcher.awaitKeys(1, Duration.ofSeconds(90)).getOrDefault("cli", List.of());
                    assertEquals(List.of(SessionStatus.COMPLETED), results.stream().map(SessionResult::getStatus).toList());
                }
                process.destroy(); // SIGTERM
                assertTrue(process.waitFor(60, TimeUnit.SECONDS), "run stops on SIGTERM");
                assertEquals(0, process.exitValue(), "a clean stop exits 0");
            } finally {
                process.destroyForcibly();
            }
        }
    }
}
