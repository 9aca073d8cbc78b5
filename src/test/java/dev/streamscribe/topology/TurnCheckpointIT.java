package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.ResponseEvent;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Turn checkpoints on a real broker and the local server: a four-turn session whose first connection fails with a
 * server_error answering its third commit is retried with only the turns that have no result, so the provider
 * receives each finished turn once (5 commits, not 3 + 4), and every turn has exactly one TranscriptionEvent. A
 * six-turn conversation dropped after turn 3 resumes with turns 0-2 restored as text, in every dialect, and gets the
 * responses a conversation that never broke gets.
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

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aConversationDroppedAfterTurnThreeResumesWithItsContextAndAnswersAsIfUnbroken(Dialect dialect) throws Exception {
        var kafka = SharedInfrastructure.kafka();
        String prefix = "conversation-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        long[] turns = {600, 700, 800, 500, 900, 400};
        // the first connection (session "broken") fails answering its fourth commit: turns 0-2 have their results
        FaultPlans failFourthCommitOnce = FaultPlans.forConnection(1,
                FaultPlan.NONE.withInjectedError(FaultPlan.InjectedError.SERVER_ERROR, 4));
        // answers from the conversation and the turn's length: a turn's own transcript racing its response is not
        // what is compared (ConversationRestoreServerTest)
        LocalRealtimeServer.Options options = LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine())
                .withFaults(failFourthCommitOnce).withResponses((instructions, turnMillis, transcript, earlier) ->
                        "an answer to " + turnMillis + " ms of audio after " + earlier);
        try (LocalRealtimeServer server = LocalRealtimeServer.start(options)) {
            var config = ConfigLoader.fromMap(Map.of("application.id", prefix + "app",
                    "bootstrap.servers", kafka.bootstrapServers(), "schema.registry.url", SharedInfrastructure.registry().url(),
                    "realtime.url", server.url(dialect).toString(), "realtime.dialect", dialect.id(),
                    "topic.prefix", prefix, "topic.partitions", "1",
                    "state.dir", stateDir.toString(), "operations.port", "0"), Map.of());
            Map<String, Object> props = Map.of("bootstrap.servers", kafka.bootstrapServers());
            try (StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of());
                 var results = new TopicWatcher<>(props, pipeline.topics().sessionResults().name(),
                         pipeline.topics().sessionResults().valueSerde().deserializer());
                 var responses = new TopicWatcher<>(props, pipeline.topics().responses().name(),
                         pipeline.topics().responses().valueSerde().deserializer())) {
                Topics topics = pipeline.topics();
                publishConversation(topics, props, dialect, "broken", turns);
                SessionResult broken = results.awaitUntil(seen -> seen.containsKey("broken"), Duration.ofSeconds(90))
                        .get("broken").getFirst();
                int commitsOfBroken = server.commitsAccepted();
                publishConversation(topics, props, dialect, "unbroken", turns);
                SessionResult unbroken = results.awaitUntil(seen -> seen.containsKey("unbroken"), Duration.ofSeconds(90))
                        .get("unbroken").getFirst();
                assertEquals(SessionStatus.COMPLETED, broken.getStatus(), broken.toString());
                assertEquals(SessionStatus.COMPLETED, unbroken.getStatus(), unbroken.toString());
                assertEquals(2, broken.getConnections());
                assertEquals(6, broken.getResponsesTotal());
                assertEquals(turns[3], broken.getAudioResentMs(), "turn 3 reached the provider twice");
                assertEquals(0, unbroken.getAudioResentMs());
                assertEquals(7, commitsOfBroken, "turns 0-3 on the first connection, 3-5 on the second: the "
                        + "earlier turns went as text");
                assertEquals(6, server.commitsAccepted() - commitsOfBroken);

                Map<String, List<ResponseEvent>> seen = responses.awaitUntil(all ->
                        all.getOrDefault("broken", List.of()).size() >= 6
                                && all.getOrDefault("unbroken", List.of()).size() >= 6, Duration.ofSeconds(30));
                List<ResponseEvent> resumed = byTurn(seen.get("broken"));
                assertEquals(List.of(0, 1, 2, 3, 4, 5), resumed.stream().map(ResponseEvent::getTurnIndex).toList(),
                        "every response exactly once");
                assertEquals(byTurn(seen.get("unbroken")).stream().map(ResponseEvent::getText).toList(),
                        resumed.stream().map(ResponseEvent::getText).toList(),
                        "the resumed conversation answers as the unbroken one does");
                assertEquals("context restored from text at turn 3", resumed.get(3).getContext());
                assertEquals(List.of(1, 1, 1, 2, 2, 2), resumed.stream().map(ResponseEvent::getConnection).toList());
            }
        }
    }

    private static List<ResponseEvent> byTurn(List<ResponseEvent> events) {
        return events.stream().sorted(Comparator.comparingInt(ResponseEvent::getTurnIndex)).toList();
    }

    private static void publishConversation(Topics topics, Map<String, Object> props, Dialect dialect, String session,
                                            long[] turns) {
        try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(),
                topics.sessionConfigs().valueSerde().serializer());
             var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(),
                     topics.audioChunks().valueSerde().serializer())) {
            configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), session,
                    TestConfigs.withResponses(dialect, session)));
            for (int turn = 0; turn < turns.length; turn++) {
                chunks.send(new ProducerRecord<>(topics.audioChunks().name(), session, AudioChunk.newBuilder()
                        .setSessionId(session).setSeq(turn).setTurnIndex(turn)
                        .setAudio(ByteBuffer.wrap(TestAudio.turnAudio(turn, turns[turn]))).setEndOfTurn(true)
                        .setEndOfSession(turn == turns.length - 1).build()));
            }
        }
    }
}
