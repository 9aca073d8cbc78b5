package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DelayedSpeechEngine;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The provider goes away in the middle of a batch (the local server stops: connections in flight drop, new ones are
 * refused) until three probes have failed (at least 7 s of pauses), longer than a session's own retries last
 * ({@code realtime.max-attempts=2}, 1 s backoff). The breaker opens, admission pauses and probes; {@code /health} and the status topic say so while
 * {@code /ready} stays 200; once the server is back every session completes, and none spent an attempt on the outage.
 */
class ProviderOutageIT {
    private static final int SESSIONS = 12;
    private static final int TURNS = 4;

    @TempDir
    Path stateDir;

    @Test
    void anOutageLongerThanTheRetriesPausesAdmissionAndFailsNothing() throws Exception {
        var kafka = SharedInfrastructure.kafka();
        String prefix = "outage-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        // transcripts take 300 ms, so sessions are at the provider when it goes away
        LocalRealtimeServer.Options options = LocalRealtimeServer.Options.defaults(
                new DelayedSpeechEngine(new DeterministicSpeechEngine(), Duration.ofMillis(300)));
        LocalRealtimeServer server = LocalRealtimeServer.start(options);
        URI url = server.url(Dialect.OPENAI_GA);
        try {
            Map<String, String> settings = new HashMap<>(Map.of("application.id", prefix + "app",
                    "bootstrap.servers", kafka.bootstrapServers(), "schema.registry.url", SharedInfrastructure.registry().url(),
                    "realtime.url", url.toString(), "topic.prefix", prefix, "topic.partitions", "2",
                    "state.dir", stateDir.toString(), "operations.port", "0", "realtime.max-attempts", "2"));
            settings.putAll(Map.of("realtime.max-concurrent-sessions", "4", "provider.breaker.failures", "3",
                    "provider.breaker.pause-ms", "1000", "provider.breaker.max-pause-ms", "4000",
                    "provider.breaker.grace-ms", "3000"));
            var config = ConfigLoader.fromMap(settings, Map.of());
            try (StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of());
                 var results = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                         pipeline.topics().sessionResults().name(),
                         pipeline.topics().sessionResults().valueSerde().deserializer())) {
                Await.until(() -> pipeline.state() == KafkaStreams.State.RUNNING, Duration.ofSeconds(60),
                        "the pipeline to run");
                publish(pipeline.topics(), kafka.bootstrapServers());
                LocalRealtimeServer running = server;
                Await.until(() -> running.commitsAccepted() >= 8 && running.openSessions() > 0, Duration.ofSeconds(60),
                        "sessions to be at the provider");
                server.close(); // the provider goes away: open connections drop, new ones are refused
                Await.until(() -> pipeline.conditions().stream().anyMatch(c -> c.startsWith("provider unreachable")),
                        Duration.ofSeconds(30), "the breaker to open");
                HttpResponse<String> health = get(pipeline, "/health");
                assertEquals(200, health.statusCode(), "an outage is a condition, not a failure: " + health.body());
                assertTrue(health.body().contains("provider unreachable"), health.body());
                assertEquals(200, get(pipeline, "/ready").statusCode(), "a paused provider never blocks a rolling update");
                StatusReports.awaitCondition(kafka.bootstrapServers(), config, "provider unreachable");
                // the outage lasts until three probes have failed (1 + 2 + 4 s of pauses): longer than the sessions'
                // own retries (2 attempts, 1 s backoff), which would have failed them all by now
                Await.until(() -> pipeline.metrics().registry().get(PipelineMetrics.BREAKER_OPENED).functionCounter()
                        .count() >= 4, Duration.ofSeconds(60), "three probes to fail while the provider is away");
                assertTrue(results.awaitUntil(all -> true, Duration.ofSeconds(1)).values().stream().flatMap(List::stream)
                        .noneMatch(r -> r.getStatus() == SessionStatus.FAILED), "nothing failed during the outage");
                server = LocalRealtimeServer.start(options.withPort(url.getPort())); // the provider is back

                Map<String, List<SessionResult>> seen = results.awaitUntil(all -> all.size() >= SESSIONS,
                        Duration.ofSeconds(120));
                for (int i = 0; i < SESSIONS; i++) {
                    SessionResult result = seen.get("o-" + i).getFirst();
                    assertEquals(SessionStatus.COMPLETED, result.getStatus(), result.toString());
                    assertEquals(1, result.getAttempt(), "o-" + i + " spent no attempt on the outage: " + result);
                }
                assertTrue(pipeline.metrics().registry().get(PipelineMetrics.SESSIONS_REQUEUED).counter().count() > 0);
                assertTrue(pipeline.metrics().registry().get(PipelineMetrics.BREAKER_OPENED).functionCounter().count() >= 1);
                assertTrue(pipeline.conditions().stream().noneMatch(c -> c.startsWith("provider unreachable")),
                        "the breaker closed once the provider was back");
            }
        } finally {
            server.close();
        }
    }

    private static void publish(Topics topics, String bootstrap) {
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap);
        try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(),
                topics.sessionConfigs().valueSerde().serializer());
             var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(),
                     topics.audioChunks().valueSerde().serializer())) {
            for (int i = 0; i < SESSIONS; i++) {
                String id = "o-" + i;
                configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), id,
                        TestConfigs.transcription(Dialect.OPENAI_GA, id)));
                for (int turn = 0; turn < TURNS; turn++) {
                    chunks.send(new ProducerRecord<>(topics.audioChunks().name(), id, AudioChunk.newBuilder()
                            .setSessionId(id).setSeq(turn).setTurnIndex(turn)
                            .setAudio(ByteBuffer.wrap(TestAudio.turnAudio(i, turn, 400))).setEndOfTurn(true)
                            .setEndOfSession(turn == TURNS - 1).build()));
                }
            }
        }
    }

    private static HttpResponse<String> get(StreamscribePipeline pipeline, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + pipeline.operationsPort().orElseThrow() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
