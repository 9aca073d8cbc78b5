package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances share the work (Kafka Streams' own scale-out): a second instance joins while sessions are in
 * flight, then the first leaves. Tasks move both times; sessions in flight on a revoked task are cancelled and
 * dispatched again by the new owner; every session still has exactly one SessionResult.
 */
class RebalanceIT {
    private static final int SESSIONS = 60;

    @TempDir
    Path stateDir;

    private PipelineConfig config(String prefix, String instance, String url) {
        return ConfigLoader.fromMap(Map.of("application.id", prefix + "app", "bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers(),
                "schema.registry.url", SharedInfrastructure.registry().url(), "realtime.url", url, "topic.prefix", prefix,
                "topic.partitions", "6", "state.dir", stateDir.resolve(instance).toString(), "operations.port", "0",
                "realtime.max-concurrent-sessions", "4"), Map.of());
    }

    @Test
    void shouldWriteEverySessionOnceWhileInstancesJoinAndLeave() throws Exception {
        String prefix = "rebalance-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        String bootstrap = SharedInfrastructure.kafka().bootstrapServers();
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine())
                .withResponseDuration(Duration.ofMillis(400)))) {
            String url = server.url(Dialect.OPENAI_GA).toString();
            PipelineConfig first = config(prefix, "a", url);
            Topics topics = Topics.create(first.topics(), SharedInfrastructure.registry().client());
            PipelineTopics.prepare(first, topics);
            produce(bootstrap, topics);
            StreamscribePipeline a = StreamscribePipeline.start(first, Map.of());
            StreamscribePipeline b = null;
            try {
                Thread.sleep(4_000);
                b = StreamscribePipeline.start(config(prefix, "b", url), Map.of());
                Thread.sleep(6_000);
                a.close(); // leaves abruptly for its in-flight sessions: they are cancelled and move to b
                a = null;
                Map<String, List<SessionResult>> results = results(bootstrap, topics, Duration.ofSeconds(120));
                assertEquals(SESSIONS, results.size(), "every session has a result");
                results.forEach((id, list) -> {
                    assertEquals(1, list.size(), "exactly one SessionResult for " + id);
                    assertEquals(SessionStatus.COMPLETED, list.getFirst().getStatus());
                });
                long moved = results.values().stream().filter(list -> list.getFirst().getAttempt() > 1).count();
                System.out.printf("rebalance: %d sessions exactly once; %d dispatched again after their task moved%n", SESSIONS, moved);
                assertTrue(server.connectionsAccepted() >= SESSIONS);
            } finally {
                if (a != null) {
                    a.close();
                }
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    private static void produce(String bootstrap, Topics topics) {
        Map<String, Object> props = dev.streamscribe.testing.TestProducers.props(bootstrap);
        try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(), topics.sessionConfigs().valueSerde().serializer());
             var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(), topics.audioChunks().valueSerde().serializer())) {
            for (int i = 0; i < SESSIONS; i++) {
                String id = "b-" + i;
                configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), id, TestConfigs.withResponses(Dialect.OPENAI_GA, id)));
                chunks.send(new ProducerRecord<>(topics.audioChunks().name(), id, AudioChunk.newBuilder().setSessionId(id).setSeq(0)
                        .setTurnIndex(0).setAudio(ByteBuffer.wrap(TestAudio.turnAudio(0, 500))).setEndOfTurn(true)
                        .setEndOfSession(true).build()));
            }
        }
    }

    private static Map<String, List<SessionResult>> results(String bootstrap, Topics topics, Duration timeout) {
        Map<String, List<SessionResult>> byKey = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "group.id", "rebalance-check-" + UUID.randomUUID(),
                "auto.offset.reset", "earliest", "isolation.level", "read_committed"), new StringDeserializer(),
                topics.sessionResults().valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.sessionResults().name()));
            long deadline = System.nanoTime() + timeout.toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < deadline && System.nanoTime() < quietUntil) {
                consumer.poll(Duration.ofMillis(300)).forEach(r -> byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value()));
                if (byKey.size() >= SESSIONS && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                }
            }
        }
        return byKey;
    }
}
