package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionConfig;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replay (docs/architecture.md section 4 rule 7): reprocessing the same input under a new application id never calls the
 * provider for a run that already has a SessionResult, whatever its status; a config with a new run token is a new
 * run of a finished session.
 */
class ReplayIT {
    private static final int SESSIONS = 10;

    @TempDir
    Path stateDir;

    private PipelineConfig config(String prefix, String appId, String realtimeUrl, Path state) {
        return ConfigLoader.fromMap(Map.of("application.id", appId, "bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers(),
                "schema.registry.url", SharedInfrastructure.registry().url(), "realtime.url", realtimeUrl,
                "topic.prefix", prefix, "topic.partitions", "2", "state.dir", state.toString(), "operations.port", "0"), Map.of());
    }

    @Test
    void shouldNeverCallTheProviderAgainForFinishedRunsButRunANewToken() throws Exception {
        String prefix = "replay-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        String bootstrap = SharedInfrastructure.kafka().bootstrapServers();
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()))) {
            String url = server.url(Dialect.OPENAI_GA).toString();
            PipelineConfig first = config(prefix, prefix + "first", url, stateDir.resolve("first"));
            Topics topics = Topics.create(first.topics(), SharedInfrastructure.registry().client());
            PipelineTopics.prepare(first, topics);
            produce(bootstrap, topics, 0, SESSIONS, "run-1");
            try (StreamscribePipeline pipeline = StreamscribePipeline.start(first, Map.of())) {
                assertEquals(SESSIONS, results(bootstrap, topics, SESSIONS, Duration.ofSeconds(90)).size());
            }
            int connectionsAfterFirstRun = server.connectionsAccepted();
            assertEquals(SESSIONS, connectionsAfterFirstRun);

            // the same input again, under a new application id, from the beginning
            PipelineConfig second = config(prefix, prefix + "second", url, stateDir.resolve("second"));
            try (StreamscribePipeline pipeline = StreamscribePipeline.start(second, Map.of())) {
                // positive barrier: every input consumed and committed, no session waiting or in flight
                Await.until(() -> pipeline.backlog().map(StreamscribePipeline.Backlog::drained).orElse(false),
                        Duration.ofSeconds(90), "the second application to consume every input with nothing left to run");
                assertEquals(connectionsAfterFirstRun, server.connectionsAccepted(), "no finished run reached the provider again");
                assertEquals(SESSIONS, resultsNow(bootstrap, topics).size(), "no new results");

                // a new run token for one session is a new run
                SessionConfig rerun = TestConfigs.transcription(Dialect.OPENAI_GA, "p-3");
                rerun.setRunToken("run-2");
                try (var configs = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap), topics.sessionConfigs().keySerde().serializer(),
                        topics.sessionConfigs().valueSerde().serializer())) {
                    configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), "p-3", rerun));
                }
                List<SessionResult> all = results(bootstrap, topics, SESSIONS + 1, Duration.ofSeconds(60));
                assertEquals(SESSIONS + 1, all.size());
                List<SessionResult> p3 = all.stream().filter(r -> r.getSessionId().equals("p-3")).toList();
                assertEquals(List.of("run-1", "run-2"), p3.stream().map(SessionResult::getRunToken).sorted().toList());
                p3.forEach(r -> assertEquals(SessionStatus.COMPLETED, r.getStatus()));
                assertEquals(connectionsAfterFirstRun + 1, server.connectionsAccepted());
            }
        }
    }

    private static void produce(String bootstrap, Topics topics, int from, int to, String runToken) {
        Map<String, Object> props = TestProducers.props(bootstrap);
        try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(), topics.sessionConfigs().valueSerde().serializer());
             var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(), topics.audioChunks().valueSerde().serializer())) {
            for (int i = from; i < to; i++) {
                String id = "p-" + i;
                SessionConfig config = TestConfigs.transcription(Dialect.OPENAI_GA, id);
                config.setRunToken(runToken);
                configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), id, config));
                chunks.send(new ProducerRecord<>(topics.audioChunks().name(), id, AudioChunk.newBuilder().setSessionId(id).setSeq(0)
                        .setTurnIndex(0).setAudio(ByteBuffer.wrap(TestAudio.turnAudio(0, 500))).setEndOfTurn(true)
                        .setEndOfSession(true).build()));
            }
        }
    }

    private static List<SessionResult> results(String bootstrap, Topics topics, int atLeast, Duration timeout) {
        try (var watcher = watcher(bootstrap, topics)) {
            watcher.awaitUntil(seen -> seen.values().stream().mapToInt(List::size).sum() >= atLeast, timeout);
            return flatten(watcher.readToEnd());
        }
    }

    /** Every result committed now. */
    private static List<SessionResult> resultsNow(String bootstrap, Topics topics) {
        try (var watcher = watcher(bootstrap, topics)) {
            return flatten(watcher.readToEnd());
        }
    }

    private static TopicWatcher<SessionResult> watcher(String bootstrap, Topics topics) {
        return new TopicWatcher<>(Map.of("bootstrap.servers", bootstrap), topics.sessionResults().name(),
                topics.sessionResults().valueSerde().deserializer());
    }

    private static List<SessionResult> flatten(Map<String, List<SessionResult>> byKey) {
        return byKey.values().stream().flatMap(List::stream).toList();
    }
}
