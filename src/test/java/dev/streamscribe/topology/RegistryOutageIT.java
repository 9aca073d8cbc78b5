package dev.streamscribe.topology;

import com.sun.net.httpserver.HttpServer;
import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.config.ConfigLoader;
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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registry outage is not bad data: while the registry answers 503, refuses the credentials, or something else
 * answers in its place (a proxy's 404 or login page), the pipeline dead-letters nothing and retries; once it is
 * back, the session completes. The outage is a loopback proxy in front of the real registry that answers so while
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

    @ParameterizedTest
    @EnumSource(Outage.class)
    void shouldRetryThroughARegistryOutageWithoutDeadLetteringGoodRecords(Outage outage) throws Exception {
        AtomicBoolean down = new AtomicBoolean(true);
        AtomicInteger refused = new AtomicInteger();
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
        String prefix = "outage-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        var kafka = SharedInfrastructure.kafka();
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()))) {
            var config = ConfigLoader.fromMap(Map.of("application.id", prefix + "app",
                    "bootstrap.servers", kafka.bootstrapServers(),
                    "schema.registry.url", "http://127.0.0.1:" + proxy.getAddress().getPort() + "/proxy",
                    "schema.registry.request-timeout-ms", "2000",
                    "realtime.url", server.url(Dialect.OPENAI_GA).toString(), "topic.prefix", prefix,
                    "topic.partitions", "1", "state.dir", stateDir.toString(), "operations.port", "0"), Map.of());
            // the producer writes through the real registry, so the records are good
            Topics direct = Topics.create(config.topics(), SharedInfrastructure.registry().client());
            PipelineTopics.prepare(config, direct);
            Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (var configs = new KafkaProducer<>(props, direct.sessionConfigs().keySerde().serializer(),
                    direct.sessionConfigs().valueSerde().serializer());
                 var chunks = new KafkaProducer<>(props, direct.audioChunks().keySerde().serializer(),
                         direct.audioChunks().valueSerde().serializer())) {
                configs.send(new ProducerRecord<>(direct.sessionConfigs().name(), "s1", TestConfigs.transcription(Dialect.OPENAI_GA, "s1")));
                chunks.send(new ProducerRecord<>(direct.audioChunks().name(), "s1", AudioChunk.newBuilder().setSessionId("s1")
                        .setSeq(0).setTurnIndex(0).setAudio(ByteBuffer.wrap(TestAudio.turnAudio(0, 500)))
                        .setEndOfTurn(true).setEndOfSession(true).build()));
            }
            try (StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of())) {
                // positive barrier: the pipeline met the outage and retried through it several times
                Await.until(() -> refused.get() >= 3, Duration.ofSeconds(60), "the pipeline to meet the registry outage");
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
            }
        } finally {
            proxy.stop(0);
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
