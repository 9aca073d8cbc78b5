package dev.streamscribe.topology;

import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.realtime.server.SpeechInput;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.KafkaFixture;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import dev.streamscribe.testing.TestProducers;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole pipeline on a real broker, the real registry and the local realtime server over real sockets: 100
 * sessions per dialect, chunks shuffled and partly duplicated, each session's transcripts checked against the
 * audio it carried, exactly one SessionResult per session and one TranscriptionEvent per turn.
 */
class TranscribePipelineIT {
    private static final int SESSIONS = 100;
    private static LocalRealtimeServer server;
    private final KafkaFixture kafka = SharedInfrastructure.kafka();

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startServer() {
        server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private PipelineConfig config(Dialect dialect, String prefix) {
        Map<String, String> settings = new HashMap<>();
        settings.put("application.id", prefix + "app");
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put("schema.registry.url", SharedInfrastructure.registry().url());
        settings.put("realtime.dialect", dialect.id());
        settings.put("realtime.url", server.url(dialect).toString());
        settings.put("realtime.max-concurrent-sessions", "20");
        settings.put("topic.prefix", prefix);
        settings.put("topic.partitions", "3");
        settings.put("state.dir", stateDir.toString());
        settings.put("realtime.item-timeout-ms", "20000");
        settings.put("operations.port", "0");
        return ConfigLoader.fromMap(settings, Map.of());
    }

    private static long[] turnsOf(int session) {
        return new long[]{400 + (session % 5) * 100L, 300 + (session % 3) * 200L};
    }

    static String expected(int turn, long millis) {
        return DeterministicSpeechEngine.transcriptOf(new SpeechInput(TestAudio.turnAudio(turn, millis), AudioEncoding.PCM16, "m",
                Optional.empty(), Optional.empty()));
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldTranscribeEverySessionOnceWhateverTheOrderOfItsChunks(Dialect dialect) throws Exception {
        String prefix = "it-" + dialect.id() + "-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        PipelineConfig config = config(dialect, prefix);
        try (StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of())) {
            Topics topics = pipeline.topics();
            produce(topics, dialect);
            awaitFinished(pipeline, topics, SESSIONS, Duration.ofSeconds(180));
            Map<String, List<SessionResult>> results = readAll(topics.sessionResults().name(),
                    topics.sessionResults().valueSerde().deserializer());
            Map<String, List<TranscriptionEvent>> transcriptions = readAll(topics.transcriptions().name(),
                    topics.transcriptions().valueSerde().deserializer());
            for (int i = 0; i < SESSIONS; i++) {
                String id = "s-" + i;
                List<SessionResult> sessionResults = results.getOrDefault(id, List.of());
                assertEquals(1, sessionResults.size(), "exactly one SessionResult for " + id);
                assertEquals(SessionStatus.COMPLETED, sessionResults.getFirst().getStatus(), sessionResults.getFirst().toString());
                List<TranscriptionEvent> turns = transcriptions.getOrDefault(id, List.of());
                long[] plan = turnsOf(i);
                assertEquals(plan.length, turns.size(), "one TranscriptionEvent per turn of " + id);
                for (TranscriptionEvent turn : turns) {
                    assertEquals(TurnStatus.COMPLETED, turn.getStatus());
                    assertEquals(expected(turn.getTurnIndex(), plan[turn.getTurnIndex()]), turn.getTranscript(),
                            id + " turn " + turn.getTurnIndex());
                }
            }
            int port = pipeline.operationsPort().orElseThrow();
            var http = HttpClient.newHttpClient();
            var scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scrape.statusCode());
            Assertions.assertTrue(scrape.body().contains("streamscribe_sessions_finished_total{status=\"COMPLETED\"} 100.0"),
                    "our meters are scraped");
            Assertions.assertTrue(scrape.body().contains("kafka_stream_"), "Kafka Streams' own metrics are scraped");
            for (String path : List.of("/health", "/ready")) {
                assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode(), path);
            }
            var meters = pipeline.metrics().registry();
            assertEquals(SESSIONS, (int) meters.get(PipelineMetrics.SESSIONS_FINISHED)
                    .tag("status", "COMPLETED").counter().count());
            assertEquals(SESSIONS, meters.get(PipelineMetrics.PROVIDER_LATENCY).timer().count());
            assertEquals(0.0, meters.get(PipelineMetrics.SESSIONS_IN_FLIGHT).gauge().value());
        }
    }

    @org.junit.jupiter.api.Test
    void shouldDeadLetterUndecodableInputAndGoOnWithGoodSessions() throws Exception {
        String prefix = "it-dlq-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        PipelineConfig config = config(Dialect.OPENAI_GA, prefix);
        try (StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of())) {
            Topics topics = pipeline.topics();
            byte[] valid = topics.audioChunks().valueSerde().serializer().serialize(topics.audioChunks().name(),
                    AudioChunk.newBuilder().setSessionId("bad").setSeq(0).setTurnIndex(0)
                            .setAudio(ByteBuffer.wrap(new byte[4_800])).build());
            byte[] wrongMagic = valid.clone();
            wrongMagic[0] = 1;
            byte[] unknownId = valid.clone();
            ByteBuffer.wrap(unknownId).putInt(1, 987_654_321);
            byte[] corrupt = Arrays.copyOf(valid, 12);
            Arrays.fill(corrupt, 5, 12, (byte) 0xff);
            Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (var raw = new KafkaProducer<>(props, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (byte[] bad : List.of(wrongMagic, unknownId, corrupt, new byte[]{0, 0, 1})) {
                    raw.send(new ProducerRecord<>(topics.audioChunks().name(), "bad".getBytes(), bad));
                }
            }
            // then a good session with responses and a turn under 100 ms
            SessionConfig good = TestConfigs.withResponses(Dialect.OPENAI_GA, "good");
            long[] turns = {600, 50, 700};
            try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(),
                    topics.sessionConfigs().valueSerde().serializer());
                 var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(),
                         topics.audioChunks().valueSerde().serializer())) {
                configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), "good", good));
                for (int turn = 0; turn < turns.length; turn++) {
                    chunks.send(new ProducerRecord<>(topics.audioChunks().name(), "good", AudioChunk.newBuilder()
                            .setSessionId("good").setSeq(turn).setTurnIndex(turn)
                            .setAudio(ByteBuffer.wrap(TestAudio.turnAudio(turn, turns[turn]))).setEndOfTurn(true)
                            .setEndOfSession(turn == turns.length - 1).build()));
                }
            }
            awaitFinished(pipeline, topics, 1, Duration.ofSeconds(60));
            Map<String, List<SessionResult>> results = readAll(topics.sessionResults().name(),
                    topics.sessionResults().valueSerde().deserializer());
            Map<String, List<DeadLetter>> letters = readAll(topics.deadLetters().name(),
                    topics.deadLetters().valueSerde().deserializer());
            assertEquals(Set.of("WRONG_MAGIC_BYTE", "UNKNOWN_SCHEMA_ID", "CORRUPT_AVRO", "TRUNCATED_RECORD"),
                    letters.get("bad").stream().map(DeadLetter::getReasonCode)
                            .collect(Collectors.toSet()));
            letters.get("bad").forEach(letter -> assertEquals(topics.audioChunks().name(), letter.getSourceTopic()));
            SessionResult result = results.get("good").getFirst();
            assertEquals(SessionStatus.COMPLETED_WITH_ERRORS, result.getStatus(), result.toString());
            assertEquals(2, result.getTurnsCompleted());
            assertEquals(1, result.getTurnsSkipped());
            assertEquals(2, result.getResponsesTotal(), "responses for the two sendable turns");
        }
    }

    private void produce(Topics topics, Dialect dialect) {
        Random random = new Random(7);
        List<ProducerRecord<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            String id = "s-" + i;
            SessionConfig config = TestConfigs.transcription(dialect, id);
            records.add(new ProducerRecord<>(topics.sessionConfigs().name(), id, config));
            long[] turns = turnsOf(i);
            long seq = 0;
            for (int turn = 0; turn < turns.length; turn++) {
                byte[] audio = TestAudio.turnAudio(turn, turns[turn]);
                for (int offset = 0; offset < audio.length; offset += 9_600) {
                    int length = Math.min(9_600, audio.length - offset);
                    boolean lastOfTurn = offset + length >= audio.length;
                    AudioChunk chunk = AudioChunk.newBuilder().setSessionId(id).setSeq(seq++).setTurnIndex(turn)
                            .setAudio(ByteBuffer.wrap(audio, offset, length).slice()).setEndOfTurn(lastOfTurn)
                            .setEndOfSession(lastOfTurn && turn == turns.length - 1).build();
                    ProducerRecord<String, Object> record = new ProducerRecord<>(topics.audioChunks().name(), id, chunk);
                    records.add(record);
                    if (random.nextInt(10) == 0) {
                        records.add(record); // redelivered duplicate
                    }
                }
            }
        }
        Collections.shuffle(records, random);
        Map<String, Object> props = TestProducers.props(kafka.bootstrapServers());
        try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(),
                topics.sessionConfigs().valueSerde().serializer());
             var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(),
                     topics.audioChunks().valueSerde().serializer())) {
            for (ProducerRecord<String, Object> record : records) {
                if (record.value() instanceof SessionConfig config) {
                    configs.send(new ProducerRecord<>(record.topic(), record.key(), config));
                } else {
                    chunks.send(new ProducerRecord<>(record.topic(), record.key(), (AudioChunk) record.value()));
                }
            }
        }
    }

    /**
     * Positive barrier: every input consumed, every session finished, nothing in flight or to retry, and the results
     * of {@code sessions} sessions readable (the last transaction may commit a moment after the store says
     * finished). After it nothing more is written, so reading to the end sees everything, duplicates included.
     */
    private void awaitFinished(StreamscribePipeline pipeline, Topics topics, int sessions, Duration timeout) {
        Await.until(() -> pipeline.backlog().map(StreamscribePipeline.Backlog::drained).orElse(false), timeout,
                "the pipeline to finish every session");
        try (var watcher = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                topics.sessionResults().name(), topics.sessionResults().valueSerde().deserializer())) {
            watcher.awaitKeys(sessions, Duration.ofSeconds(30));
        }
    }

    /** Every record committed on {@code topic} now, by key. */
    private <V> Map<String, List<V>> readAll(String topic, Deserializer<V> values) {
        try (var watcher = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                topic, values)) {
            return watcher.readToEnd();
        }
    }
}
