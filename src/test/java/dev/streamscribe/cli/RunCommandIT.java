package dev.streamscribe.cli;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import dev.streamscribe.topology.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (server.openSessions() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(server.openSessions() > 0, "the session reached the provider");
                process.destroy(); // SIGTERM while the response is running
                assertTrue(process.waitFor(90, TimeUnit.SECONDS), "run stops on SIGTERM");
                assertEquals(0, process.exitValue(), "every session in flight finished: a clean stop");
                assertEquals(List.of(SessionStatus.COMPLETED), results(kafka.bootstrapServers(), topics, Duration.ofSeconds(5)),
                        "the session in flight finished and was written exactly once");
            } finally {
                process.destroyForcibly();
            }
        }
    }

    private static Process launch(Map<String, String> settings) throws Exception {
        return dev.streamscribe.testing.ChildPipeline.launch(settings);
    }

    private static void produce(String bootstrap, Topics topics, dev.streamscribe.avro.SessionConfig config) {
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap);
        try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(), topics.sessionConfigs().valueSerde().serializer());
             var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(), topics.audioChunks().valueSerde().serializer())) {
            configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), config.getSessionId(), config));
            chunks.send(new ProducerRecord<>(topics.audioChunks().name(), config.getSessionId(), AudioChunk.newBuilder()
                    .setSessionId(config.getSessionId()).setSeq(0).setTurnIndex(0).setAudio(ByteBuffer.wrap(TestAudio.turnAudio(0, 800)))
                    .setEndOfTurn(true).setEndOfSession(true).build()));
        }
    }

    private static List<SessionStatus> results(String bootstrap, Topics topics, Duration wait) {
        List<SessionStatus> statuses = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "group.id", "drain-check-" + UUID.randomUUID(),
                "auto.offset.reset", "earliest", "isolation.level", "read_committed"), new StringDeserializer(),
                topics.sessionResults().valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.sessionResults().name()));
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(r -> statuses.add(r.value().getStatus()));
            }
        }
        return statuses;
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
                try (var consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                        "group.id", "run-check-" + UUID.randomUUID(), "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
                        new StringDeserializer(), topics.sessionResults().valueSerde().deserializer())) {
                    consumer.subscribe(List.of(topics.sessionResults().name()));
                    SessionStatus status = null;
                    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                    while (status == null && System.nanoTime() < deadline) {
                        for (var record : consumer.poll(Duration.ofMillis(500))) {
                            status = record.value().getStatus();
                        }
                    }
                    assertEquals(SessionStatus.COMPLETED, status);
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
