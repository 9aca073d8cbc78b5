package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.FaultPlan;
import dev.streamscribe.realtime.server.FaultPlans;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
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
 * Turn checkpoints on a real broker and the local server: a four-turn session whose first connection fails with a
 * server_error answering its third commit is retried with only the turns that have no result, so the provider
 * receives each finished turn once (5 commits, not 3 + 4), and every turn has exactly one TranscriptionEvent.
 */
class TurnCheckpointIT {
    @TempDir
    Path stateDir;

    @Test
    void aRetrySendsOnlyTheTurnsThatHaveNoResult() throws Exception {
        var kafka = SharedInfrastructure.kafka();
        String prefix = "checkpoint-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        FaultPlans failThirdCommitOnce = FaultPlans.forConnection(1,
                FaultPlan.NONE.withInjectedError(FaultPlan.InjectedError.SERVER_ERROR, 3));
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options
                .defaults(new DeterministicSpeechEngine()).withFaults(failThirdCommitOnce))) {
            var config = ConfigLoader.fromMap(Map.of("application.id", prefix + "app",
                    "bootstrap.servers", kafka.bootstrapServers(), "schema.registry.url", SharedInfrastructure.registry().url(),
                    "realtime.url", server.url(Dialect.OPENAI_GA).toString(), "topic.prefix", prefix, "topic.partitions", "1",
                    "state.dir", stateDir.toString(), "operations.port", "0"), Map.of());
            try (StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of());
                 var results = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                         pipeline.topics().sessionResults().name(),
                         pipeline.topics().sessionResults().valueSerde().deserializer());
                 var transcriptions = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                         pipeline.topics().transcriptions().name(),
                         pipeline.topics().transcriptions().valueSerde().deserializer())) {
                Topics topics = pipeline.topics();
                Map<String, Object> props = Map.of("bootstrap.servers", kafka.bootstrapServers());
                try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(),
                        topics.sessionConfigs().valueSerde().serializer());
                     var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(),
                             topics.audioChunks().valueSerde().serializer())) {
                    configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), "s1",
                            TestConfigs.transcription(Dialect.OPENAI_GA, "s1")));
                    for (int turn = 0; turn < 4; turn++) {
                        chunks.send(new ProducerRecord<>(topics.audioChunks().name(), "s1", AudioChunk.newBuilder()
                                .setSessionId("s1").setSeq(turn).setTurnIndex(turn)
                                .setAudio(ByteBuffer.wrap(TestAudio.turnAudio(turn, 500))).setEndOfTurn(true)
                                .setEndOfSession(turn == 3).build()));
                    }
                }
                SessionResult result = results.awaitUntil(seen -> seen.containsKey("s1"), Duration.ofSeconds(90))
                        .get("s1").getFirst();
                assertEquals(SessionStatus.COMPLETED, result.getStatus(), result.toString());
                assertEquals(4, result.getTurnsCompleted());
                assertEquals(2, result.getAttempt(), "one retry after the server_error");
                List<TranscriptionEvent> events = transcriptions.awaitUntil(seen -> seen.getOrDefault("s1", List.of())
                        .size() >= 4, Duration.ofSeconds(30)).get("s1");
                assertEquals(List.of(0, 1, 2, 3), events.stream().map(TranscriptionEvent::getTurnIndex).sorted().toList(),
                        "every turn exactly once");
                assertEquals(List.of(1, 1, 2, 2), events.stream().sorted((a, b) -> a.getTurnIndex() - b.getTurnIndex())
                        .map(TranscriptionEvent::getConnection).toList(), "turns 0 and 1 from the first connection");
                assertEquals(5, server.commitsAccepted(), "turns 0 and 1 once, turn 2 twice (its first commit failed), "
                        + "turn 3 once: 5 commits where resending the whole session took 7");
            }
        }
    }
}
