package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.FaultPlan;
import dev.streamscribe.realtime.server.FaultPlans;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole session is the retry unit: a transient fault from the local server's fault plan is retried on a new
 * WebSocket with attempt + 1 and succeeds; a fault on every attempt ends FAILED with a DeadLetter once the
 * attempts are used up; a permanent fault fails at once.
 */
class SessionRetryIT {
    @TempDir
    Path stateDir;

    record Case(String name, FaultPlans faults, SessionStatus status, int attempts, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        FaultPlan everywhereServerError = FaultPlan.NONE.withInjectedError(FaultPlan.InjectedError.SERVER_ERROR, 1);
        return Stream.of(
                new Case("abnormal close mid-append, then success", FaultPlans.forConnection(1,
                        FaultPlan.NONE.withCloseAfterEvents(2)), SessionStatus.COMPLETED, 2, null),
                new Case("abnormal close mid-response, then success", FaultPlans.forConnection(1,
                        FaultPlan.NONE.withCloseAfterEvents(8)), SessionStatus.COMPLETED, 2, null),
                new Case("rate limited, then success", FaultPlans.forConnection(1,
                        FaultPlan.NONE.withInjectedError(FaultPlan.InjectedError.RATE_LIMIT_EXCEEDED, 1)), SessionStatus.COMPLETED, 2, null),
                new Case("upgrade refused with 429, then success", FaultPlans.forConnection(1,
                        FaultPlan.NONE.withRefuseUpgradeStatus(429)), SessionStatus.COMPLETED, 2, null),
                new Case("upgrade refused with 503, then success", FaultPlans.forConnection(1,
                        FaultPlan.NONE.withRefuseUpgradeStatus(503)), SessionStatus.COMPLETED, 2, null),
                new Case("stalled, then success", FaultPlans.forConnection(1,
                        FaultPlan.NONE.withStallAfterEvents(2)), SessionStatus.COMPLETED, 2, null),
                new Case("server_error on every attempt", FaultPlans.everywhere(everywhereServerError),
                        SessionStatus.FAILED, 3, "PROVIDER_SERVER_ERROR"),
                new Case("upgrade refused with 401", FaultPlans.everywhere(FaultPlan.NONE.withRefuseUpgradeStatus(401)),
                        SessionStatus.FAILED, 1, "UPGRADE_REFUSED_401"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldRetryTransientFaultsAndFailPermanentOnesAtOnce(Case c) throws Exception {
        var kafka = SharedInfrastructure.kafka();
        String prefix = "retry-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options
                .defaults(new DeterministicSpeechEngine()).withFaults(c.faults()))) {
            Map<String, String> settings = new HashMap<>(Map.of("application.id", prefix + "app",
                    "bootstrap.servers", kafka.bootstrapServers(), "schema.registry.url", SharedInfrastructure.registry().url(),
                    "realtime.url", server.url(Dialect.OPENAI_GA).toString(), "topic.prefix", prefix, "topic.partitions", "1",
                    "state.dir", stateDir.toString(), "realtime.max-attempts", "3", "realtime.item-timeout-ms", "1500",
                    "operations.port", "0"));
            // one session fails at a time here, never an outage: a short grace keeps the breaker's verdict quick
            settings.put("provider.breaker.grace-ms", "300");
            var config = ConfigLoader.fromMap(settings, Map.of());
            try (StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of())) {
                Topics topics = pipeline.topics();
                Map<String, Object> props = Map.of("bootstrap.servers", kafka.bootstrapServers());
                try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(), topics.sessionConfigs().valueSerde().serializer());
                     var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(), topics.audioChunks().valueSerde().serializer())) {
                    configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), "r", TestConfigs.withResponses(Dialect.OPENAI_GA, "r")));
                    chunks.send(new ProducerRecord<>(topics.audioChunks().name(), "r", AudioChunk.newBuilder().setSessionId("r")
                            .setSeq(0).setTurnIndex(0).setAudio(ByteBuffer.wrap(TestAudio.turnAudio(0, 3_000)))
                            .setEndOfTurn(true).setEndOfSession(true).build()));
                }
                // positive barrier: input consumed, the session has its result, nothing in flight or to retry
                Await.until(() -> pipeline.backlog().map(StreamscribePipeline.Backlog::drained).orElse(false),
                        Duration.ofSeconds(60), "the session to finish");
                // the store says finished a moment before the transaction with the result commits
                try (var watcher = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                        topics.sessionResults().name(), topics.sessionResults().valueSerde().deserializer())) {
                    watcher.awaitKeys(1, Duration.ofSeconds(30));
                }
                List<SessionResult> results = readAll(kafka.bootstrapServers(), topics.sessionResults().name(),
                        topics.sessionResults().valueSerde().deserializer());
                assertEquals(1, results.size(), "exactly one SessionResult");
                SessionResult result = results.getFirst();
                assertEquals(c.status(), result.getStatus(), result.toString());
                assertEquals(c.attempts(), result.getAttempt(), result.toString());
                List<DeadLetter> letters = readAll(kafka.bootstrapServers(), topics.deadLetters().name(),
                        topics.deadLetters().valueSerde().deserializer());
                if (c.reason() == null) {
                    assertTrue(letters.isEmpty(), letters.toString());
                } else {
                    assertEquals(c.reason(), result.getReason());
                    assertEquals(c.reason(), letters.getFirst().getReasonCode());
                }
            }
        }
    }

    /** Every record committed on {@code topic} now. */
    private static <V> List<V> readAll(String bootstrap, String topic, Deserializer<V> values) {
        try (var watcher = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", bootstrap), topic, values)) {
            return watcher.readToEnd().values().stream().flatMap(List::stream).toList();
        }
    }
}
