package dev.streamscribe.topology;

import com.sun.net.httpserver.HttpServer;
import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registry outage is not bad data: while the registry answers 503, refuses the credentials, or something else
 * answers in its place (a proxy's 404 or login page), the pipeline dead-letters nothing and waits in place, the
 * stream thread alive, {@code /health} 200 with the reason; once it is back, the session completes. An outage at
 * start-up holds Streams back (not ready, not failed) until the output schemas resolve. The outage is a loopback proxy in front of the real registry that answers so while
 * switched off.
 */
class RegistryOutageIT {
    @TempDir
    Path stateDir;

    /** What the registry answers while it is "down": each is an outage, never bad data. */
    enum Outage {
        SERVER_ERROR(503, "{\"error_code\":50301,\"message\":\"registry down (test outage)\"}"),
        CREDENTIALS_REFUSED(401, "{\"error_code\":40101,\"message\":\"Unauthorized\"}"),
        PROXY_PAGE_404(404, "<html><body>Not Found</body></html>"),
        PROXY_PAGE_200(200, "<html><body>Please log in</body></html>");

        final int status;
        final String body;

        Outage(int status, String body) {
            this.status = status;
            this.body = body;
        }
    }

    /** A loopback proxy in front of the real registry that answers {@code outage} while {@code down} is set. */
    private static HttpServer proxy(Outage outage, AtomicBoolean down, AtomicInteger refused) throws IOException {
        HttpClient forward = HttpClient.newHttpClient();
        URI target = URI.create(SharedInfrastructure.registry().url());
        HttpServer proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        proxy.createContext("/", exchange -> {
            byte[] body;
            int status;
            if (down.get()) {
                refused.incrementAndGet();
                status = outage.status;
                body = outage.body.getBytes();
            } else {
                String path = exchange.getRequestURI().getRawPath().substring("/proxy".length());
                String query = exchange.getRequestURI().getRawQuery();
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + path + (query == null ? "" : "?" + query)))
                        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(exchange.getRequestBody().readAllBytes()));
                String type = exchange.getRequestHeaders().getFirst("Content-Type");
                if (type != null) {
                    request.header("Content-Type", type);
                }
                try {
                    HttpResponse<byte[]> response = forward.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                    status = response.statusCode();
                    body = response.body();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    status = 502;
                    body = new byte[0];
                }
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        proxy.start();
        return proxy;
    }

    private PipelineConfig config(String prefix, HttpServer proxy, String realtimeUrl) {
        return ConfigLoader.fromMap(Map.of("application.id", prefix + "app",
                "bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers(),
                "schema.registry.url", "http://127.0.0.1:" + proxy.getAddress().getPort() + "/proxy",
                "schema.registry.request-timeout-ms", "2000",
                "realtime.url", realtimeUrl, "topic.prefix", prefix,
                "topic.partitions", "1", "state.dir", stateDir.toString(), "operations.port", "0"), Map.of());
    }

    @ParameterizedTest
    @EnumSource(Outage.class)
    void shouldWaitOutARegistryOutageInPlaceWithoutDeadLetteringGoodRecords(Outage outage) throws Exception {
        AtomicBoolean down = new AtomicBoolean(false);
        AtomicInteger refused = new AtomicInteger();
        HttpServer proxy = proxy(outage, down, refused);
        String prefix = "outage-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        var kafka = SharedInfrastructure.kafka();
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()))) {
            PipelineConfig config = config(prefix, proxy, server.url(Dialect.OPENAI_GA).toString());
            // the producer writes through the real registry, so the records are good
            Topics direct = Topics.create(config.topics(), SharedInfrastructure.registry().client());
            PipelineTopics.prepare(config, direct);
            try (StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of())) {
                Await.until(() -> pipeline.state() == KafkaStreams.State.RUNNING, Duration.ofSeconds(60),
                        "the pipeline to run (its output schemas resolved while the registry was up)");
                down.set(true);
                publishSession(kafka.bootstrapServers(), direct);
                // positive barrier: the pipeline met the outage reading the new records and retried through it
                Await.until(() -> refused.get() >= 3, Duration.ofSeconds(60), "the pipeline to meet the registry outage");
                HttpResponse<String> health = get(pipeline, "/health");
                assertEquals(200, health.statusCode(), "an outage is a condition, not a failure: " + health.body());
                assertTrue(health.body().contains("schema registry unavailable"), health.body());
                assertEquals(1.0, pipeline.metrics().registry().get(PipelineMetrics.REGISTRY_UNAVAILABLE).gauge().value());
                StatusReports.awaitCondition(kafka.bootstrapServers(), config, "schema registry unavailable");
                assertTrue(read(kafka.bootstrapServers(), direct.deadLetters().name()).isEmpty(),
                        "nothing is dead-lettered during an outage");
                down.set(false);
                List<byte[]> results = Await.value(() -> {
                    List<byte[]> found = read(kafka.bootstrapServers(), direct.sessionResults().name());
                    return found.isEmpty() ? Optional.empty() : Optional.of(found);
                }, Duration.ofSeconds(90), "the session's result once the registry is back");
                assertEquals(1, results.size());
                SessionResult result = direct.sessionResults().valueSerde().deserializer()
                        .deserialize(direct.sessionResults().name(), results.getFirst());
                assertEquals(SessionStatus.COMPLETED, result.getStatus());
                assertTrue(read(kafka.bootstrapServers(), direct.deadLetters().name()).isEmpty());
                assertEquals(0, pipeline.threadReplacements(), "the stream thread waited in place: never replaced");
                assertFalse(get(pipeline, "/health").body().contains("schema registry"), "the outage is over");
            }
        } finally {
            proxy.stop(0);
        }
    }

    @Test
    void shouldWaitForTheRegistryBeforeStartingAndSayWhyInHealth() throws Exception {
        AtomicBoolean down = new AtomicBoolean(true);
        AtomicInteger refused = new AtomicInteger();
        HttpServer proxy = proxy(Outage.SERVER_ERROR, down, refused);
        String prefix = "outage-start-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()))) {
            PipelineConfig config = config(prefix, proxy, server.url(Dialect.OPENAI_GA).toString());
            try (StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of())) {
                Await.until(() -> refused.get() >= 3, Duration.ofSeconds(60), "start-up to meet the registry outage");
                HttpResponse<String> health = get(pipeline, "/health");
                assertEquals(200, health.statusCode(), health.body());
                assertTrue(health.body().contains("starting: resolving the output schemas")
                        && health.body().contains("schema registry unavailable"), health.body());
                assertEquals(503, get(pipeline, "/ready").statusCode(), "not ready before Streams runs");
                assertEquals(KafkaStreams.State.CREATED, pipeline.state());
                assertTrue(pipeline.failure().isEmpty(), "waiting is not failing");
                down.set(false);
                Await.until(() -> pipeline.state() == KafkaStreams.State.RUNNING, Duration.ofSeconds(90),
                        "Streams to start once the registry answers");
            }
        } finally {
            proxy.stop(0);
        }
    }

    private static HttpResponse<String> get(StreamscribePipeline pipeline, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + pipeline.operationsPort().orElseThrow() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void publishSession(String bootstrap, Topics direct) {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (var configs = new KafkaProducer<>(props, direct.sessionConfigs().keySerde().serializer(),
                direct.sessionConfigs().valueSerde().serializer());
             var chunks = new KafkaProducer<>(props, direct.audioChunks().keySerde().serializer(),
                     direct.audioChunks().valueSerde().serializer())) {
            configs.send(new ProducerRecord<>(direct.sessionConfigs().name(), "s1", TestConfigs.transcription(Dialect.OPENAI_GA, "s1")));
            chunks.send(new ProducerRecord<>(direct.audioChunks().name(), "s1", AudioChunk.newBuilder().setSessionId("s1")
                    .setSeq(0).setTurnIndex(0).setAudio(ByteBuffer.wrap(TestAudio.turnAudio(0, 500)))
                    .setEndOfTurn(true).setEndOfSession(true).build()));
        }
    }

    /** Every record value committed on {@code topic} now. */
    private static List<byte[]> read(String bootstrap, String topic) {
        try (var watcher = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", bootstrap), topic,
                new ByteArrayDeserializer())) {
            return watcher.readToEnd().values().stream().flatMap(List::stream).toList();
        }
    }
}
