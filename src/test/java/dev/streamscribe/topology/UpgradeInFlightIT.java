package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.records.SessionConfigCodec;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import dev.streamscribe.testing.TestProducers;
import dev.streamscribe.topology.SessionState.Status;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An upgrade with sessions in flight: the stores an earlier build left behind (session-state values in version 1,
 * chunk-index entries in version 1 with their SHA-256 digests, no session-schedule at all, inputs consumed) are restored by the current build, which builds its schedule from
 * them and finishes the sessions that were waiting for a slot or at the provider when the old build stopped.
 */
class UpgradeInFlightIT {
    private static final String OLD_RUN = "r-old-build";

    @TempDir
    Path stateDir;

    @Test
    void sessionsAnEarlierBuildLeftWaitingOrInFlightCompleteAfterTheUpgrade() throws Exception {
        String prefix = "upgrade-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        String applicationId = prefix + "app";
        String bootstrap = SharedInfrastructure.kafka().bootstrapServers();
        try (LocalRealtimeServer server = LocalRealtimeServer.start(
                LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()))) {
            PipelineConfig config = ConfigLoader.fromMap(Map.of("application.id", applicationId,
                    "bootstrap.servers", bootstrap, "schema.registry.url", SharedInfrastructure.registry().url(),
                    "realtime.url", server.url(Dialect.OPENAI_GA).toString(), "topic.prefix", prefix,
                    "topic.partitions", "1", "state.dir", stateDir.toString(), "operations.port", "0"), Map.of());
            Topics topics = Topics.create(config.topics(), SharedInfrastructure.registry().client());
            PipelineTopics.prepare(config, topics);

            // the audio the old build indexed, and the stores it left: READY (waiting for a slot) and IN_FLIGHT
            byte[] audio = TestAudio.turnAudio(0, 500);
            long waitingOffset = publishChunk(bootstrap, topics, "up-waiting", audio);
            long inFlightOffset = publishChunk(bootstrap, topics, "up-in-flight", audio);
            String stateChangelog = createChangelog(bootstrap, applicationId, StoreNames.SESSION_STATE);
            String indexChangelog = createChangelog(bootstrap, applicationId, StoreNames.CHUNK_INDEX);
            try (var producer = new KafkaProducer<>(TestProducers.props(bootstrap), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (var session : Map.of("up-waiting", waitingOffset, "up-in-flight", inFlightOffset).entrySet()) {
                    String id = session.getKey();
                    boolean inFlight = id.equals("up-in-flight");
                    byte[] state = version1State(config(id), inFlight ? Status.IN_FLIGHT : Status.READY, inFlight ? 1 : 0);
                    producer.send(new ProducerRecord<>(stateChangelog, 0, id.getBytes(StandardCharsets.UTF_8), state));
                    ChunkRef ref = new ChunkRef(0, 0, session.getValue(), audio.length,
                            ChunkRef.version1DigestOf(ByteBuffer.wrap(audio)), 0, true, true);
                    producer.send(new ProducerRecord<>(indexChangelog, 0, ChunkIndex.key(id, 0).get(), ref.encode()));
                }
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                // it had consumed every input
                admin.alterConsumerGroupOffsets(applicationId, Map.of(
                        new TopicPartition(topics.audioChunks().name(), 0), new OffsetAndMetadata(inFlightOffset + 1),
                        new TopicPartition(topics.sessionConfigs().name(), 0), new OffsetAndMetadata(0)))
                        .all().get(30, TimeUnit.SECONDS);
            }

            try (StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of());
                 var results = new TopicWatcher<>(Map.of("bootstrap.servers", bootstrap), topics.sessionResults().name(),
                         topics.sessionResults().valueSerde().deserializer());
                 var transcriptions = new TopicWatcher<>(Map.of("bootstrap.servers", bootstrap),
                         topics.transcriptions().name(), topics.transcriptions().valueSerde().deserializer())) {
                Map<String, List<SessionResult>> finished = results.awaitUntil(seen -> seen.size() == 2,
                        Duration.ofSeconds(90));
                for (String id : List.of("up-waiting", "up-in-flight")) {
                    SessionResult result = finished.get(id).getFirst();
                    assertEquals(SessionStatus.COMPLETED, result.getStatus(), id + ": " + result.getMessage());
                    assertEquals(OLD_RUN, result.getRunToken(), "the run the old build started");
                }
                assertEquals(1, finished.get("up-waiting").getFirst().getAttempt(), "its first attempt");
                assertEquals(1, finished.get("up-in-flight").getFirst().getAttempt(), "a restore is not an attempt");
                assertEquals(2, finished.get("up-in-flight").getFirst().getConnections(),
                        "dispatched again after the restore, on its second connection");
                Map<String, List<TranscriptionEvent>> events = transcriptions.awaitUntil(seen -> seen.size() == 2,
                        Duration.ofSeconds(30));
                events.forEach((id, list) -> assertEquals(1, list.size(), id + " has one transcription per turn"));
            }
        }
    }

    private static SessionConfig config(String sessionId) {
        SessionConfig config = TestConfigs.transcription(Dialect.OPENAI_GA, sessionId);
        config.setRunToken(OLD_RUN);
        return config;
    }

    private static long publishChunk(String bootstrap, Topics topics, String sessionId, byte[] audio) throws Exception {
        try (var chunks = new KafkaProducer<>(TestProducers.props(bootstrap), topics.audioChunks().keySerde().serializer(),
                topics.audioChunks().valueSerde().serializer())) {
            RecordMetadata written = chunks.send(new ProducerRecord<>(topics.audioChunks().name(), sessionId,
                    AudioChunk.newBuilder().setSessionId(sessionId).setSeq(0).setTurnIndex(0)
                            .setAudio(ByteBuffer.wrap(audio)).setEndOfTurn(true).setEndOfSession(true).build()))
                    .get(30, TimeUnit.SECONDS);
            return written.offset();
        }
    }

    private static String createChangelog(String bootstrap, String applicationId, String store) throws Exception {
        String changelog = applicationId + "-" + store + "-changelog";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(changelog, 1, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get(30, TimeUnit.SECONDS);
            PipelineTopics.awaitLeaders(admin, List.of(changelog)); // it is produced to next
        }
        return changelog;
    }

    /** A session-state value laid out as version 1 of {@link SessionStateSerde} wrote it (status by ordinal). */
    private static byte[] version1State(SessionConfig config, Status status, int attempt) {
        byte[] encoded = SessionConfigCodec.encode(config);
        byte[] token = config.getRunToken().getBytes(StandardCharsets.UTF_8);
        long now = System.currentTimeMillis();
        return ByteBuffer.allocate(1 + 4 + encoded.length + 4 + token.length + 1 + 8 * 6 + 4).put((byte) 1)
                .putInt(encoded.length).put(encoded).putInt(token.length).put(token)
                .put((byte) SessionStateSerde.V1_STATUSES.indexOf(status))
                .putLong(1).putLong(0).putLong(0).putLong(0).putLong(now).putLong(now).putInt(attempt).array();
    }
}
