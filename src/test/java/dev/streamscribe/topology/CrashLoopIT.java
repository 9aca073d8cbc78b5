package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DelayedSpeechEngine;
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
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A session whose provider connections keep ending with no outcome (here the instance stops each time with the
 * session still at a provider that never answers, and no drain time) goes out at most {@code realtime.max-dispatches}
 * times in a row: a restart re-dispatches it without spending an attempt, and past the limit it fails CRASH_LOOP
 * with a DeadLetter instead of being paid for forever.
 */
class CrashLoopIT {
    @TempDir
    Path stateDir;

    @Test
    void aSessionThatNeverGetsAnOutcomeFailsCrashLoopAfterMaxDispatchesConnections() throws Exception {
        String prefix = "crashloop-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        String bootstrap = SharedInfrastructure.kafka().bootstrapServers();
        // transcripts take an hour: no connection of this test ever ends with an outcome
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(
                new DelayedSpeechEngine(new DeterministicSpeechEngine(), Duration.ofHours(1))))) {
            PipelineConfig config = ConfigLoader.fromMap(Map.of("application.id", prefix + "app",
                    "bootstrap.servers", bootstrap, "schema.registry.url", SharedInfrastructure.registry().url(),
                    "realtime.url", server.url(Dialect.OPENAI_GA).toString(), "realtime.max-dispatches", "2",
                    "topic.prefix", prefix, "topic.partitions", "1", "state.dir", stateDir.toString(),
                    "operations.port", "0", "instance.id", "crash-loop"), Map.of());
            Topics topics = Topics.create(config.topics(), SharedInfrastructure.registry().client());
            PipelineTopics.prepare(config, topics);
            publish(bootstrap, topics);
            for (int connection = 1; connection <= 2; connection++) {
                int expected = connection;
                try (StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of())) {
                    Await.until(() -> server.connectionsAccepted() >= expected, Duration.ofSeconds(60),
                            "connection " + expected + " to the provider");
                    assertEquals(1, pipeline.inFlight());
                    // a stop with no drain time: the session is cancelled with no outcome, as a crash would leave it
                    assertFalse(pipeline.stop(Duration.ZERO), "the session was still at the provider");
                }
            }
            try (StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of());
                 var results = new TopicWatcher<>(Map.of("bootstrap.servers", bootstrap), topics.sessionResults().name(),
                         topics.sessionResults().valueSerde().deserializer());
                 var letters = new TopicWatcher<>(Map.of("bootstrap.servers", bootstrap), topics.deadLetters().name(),
                         topics.deadLetters().valueSerde().deserializer())) {
                SessionResult result = results.awaitUntil(seen -> seen.containsKey("s1"), Duration.ofSeconds(60))
                        .get("s1").getFirst();
                assertEquals(SessionStatus.FAILED, result.getStatus());
                assertEquals("CRASH_LOOP", result.getReason());
                assertEquals(1, result.getAttempt(), "restarts are not attempts: realtime.max-attempts was not spent");
                assertEquals(2, result.getConnections(), "both connections are on record");
                List<DeadLetter> dead = letters.awaitUntil(seen -> seen.containsKey("s1"), Duration.ofSeconds(30))
                        .get("s1");
                assertEquals("CRASH_LOOP", dead.getFirst().getReasonCode());
                assertEquals(2, server.connectionsAccepted(), "no third connection");
            }
        }
    }

    private static void publish(String bootstrap, Topics topics) {
        Map<String, Object> props = TestProducers.props(bootstrap);
        try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(),
                topics.sessionConfigs().valueSerde().serializer());
             var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(),
                     topics.audioChunks().valueSerde().serializer())) {
            configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), "s1",
                    TestConfigs.transcription(Dialect.OPENAI_GA, "s1")));
            chunks.send(new ProducerRecord<>(topics.audioChunks().name(), "s1", AudioChunk.newBuilder().setSessionId("s1")
                    .setSeq(0).setTurnIndex(0).setAudio(ByteBuffer.wrap(TestAudio.turnAudio(0, 500)))
                    .setEndOfTurn(true).setEndOfSession(true).build()));
        }
    }
}
