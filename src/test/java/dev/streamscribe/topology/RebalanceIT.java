package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import dev.streamscribe.testing.TestProducers;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
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
    /**
     * Long enough that a session seen in flight is still in flight when its instance leaves a moment later: with
     * 1.5 s, one CI run in six saw every session a had in flight finish inside a's close (its last commit wrote their
     * results), so nothing was left to dispatch again.
     */
    private static final Duration RESPONSE = Duration.ofMillis(3_000);

    @TempDir
    Path stateDir;

    private PipelineConfig config(String prefix, String instance, String url) {
        return ConfigLoader.fromMap(Map.of("application.id", prefix + "app", "bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers(),
                "schema.registry.url", SharedInfrastructure.registry().url(), "realtime.url", url, "topic.prefix", prefix,
                "topic.partitions", "6", "state.dir", stateDir.resolve(instance).toString(), "operations.port", "0",
                "realtime.max-concurrent-sessions", "8"), Map.of());
    }

    @Test
    void shouldWriteEverySessionOnceWhileInstancesJoinAndLeave() throws Exception {
        String prefix = "rebalance-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        String bootstrap = SharedInfrastructure.kafka().bootstrapServers();
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine())
                .withResponseDuration(RESPONSE))) {
            String url = server.url(Dialect.OPENAI_GA).toString();
            PipelineConfig first = config(prefix, "a", url);
            Topics topics = Topics.create(first.topics(), SharedInfrastructure.registry().client());
            PipelineTopics.prepare(first, topics);
            produce(bootstrap, topics);
            StreamscribePipeline a = StreamscribePipeline.start(first, Map.of());
            StreamscribePipeline b = null;
            try {
                StreamscribePipeline first0 = a;
                Await.until(() -> first0.inFlight() > 0, Duration.ofSeconds(60), "instance a to have sessions in flight");
                b = StreamscribePipeline.start(config(prefix, "b", url), Map.of());
                StreamscribePipeline second = b;
                // both RUNNING again: the group has rebalanced with b in it and b owns tasks
                Await.until(() -> second.state() == KafkaStreams.State.RUNNING && first0.state() == KafkaStreams.State.RUNNING,
                        Duration.ofSeconds(60), "both instances RUNNING after b joined");
                // in flight counts sessions admitted but not yet connected (their mark is being committed): wait until
                // some of a's are open at the provider, so leaving has connections to cut
                Await.until(() -> first0.inFlight() >= 2 && server.openSessions() > second.inFlight(),
                        Duration.ofSeconds(60), "instance a to have sessions open at the provider after the rebalance");
                int connectionsBeforeLeaving = server.connectionsAccepted();
                a.close(); // leaves abruptly for its in-flight sessions: they are cancelled and move to b
                a = null;
                Await.until(() -> second.backlog().map(StreamscribePipeline.Backlog::drained).orElse(false),
                        Duration.ofSeconds(120), "instance b to finish every session");
                try (var watcher = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", bootstrap),
                        topics.sessionResults().name(), topics.sessionResults().valueSerde().deserializer())) {
                    watcher.awaitKeys(SESSIONS, Duration.ofSeconds(30)); // the last transaction may lag the store
                }
                Map<String, List<SessionResult>> results = results(bootstrap, topics);
                assertEquals(SESSIONS, results.size(), "every session has a result");
                results.forEach((id, list) -> {
                    assertEquals(1, list.size(), "exactly one SessionResult for " + id);
                    assertEquals(SessionStatus.COMPLETED, list.getFirst().getStatus());
                });
                int redispatched = server.connectionsAccepted() - SESSIONS;
                System.out.printf("rebalance: %d sessions exactly once; %d connections beyond one per session "
                        + "(%d accepted before a left)%n", SESSIONS, redispatched, connectionsBeforeLeaving);
                assertTrue(redispatched > 0, "the sessions a had in flight when it left were dispatched again by b");
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
        Map<String, Object> props = TestProducers.props(bootstrap);
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

    /** Every result committed now: b has drained, so nothing more is on its way. */
    private static Map<String, List<SessionResult>> results(String bootstrap, Topics topics) {
        try (var watcher = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", bootstrap),
                topics.sessionResults().name(), topics.sessionResults().valueSerde().deserializer())) {
            return watcher.readToEnd();
        }
    }
}
