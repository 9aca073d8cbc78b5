package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.testing.InMemoryRegistryClient;
import dev.streamscribe.testing.TestConfigs;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;

/**
 * The pipeline's topology on a {@link TopologyTestDriver}, with an in-memory registry: its input and output topics
 * and the session-state, schedule and chunk-index stores, for the topology tests. The provider side is whatever
 * {@link DispatchServices} the test hands in (a fake launcher, or no slots at all).
 */
final class TopologyHarness implements AutoCloseable {
    final TopologyTestDriver driver;
    final TestInputTopic<String, SessionConfig> configs;
    final TestInputTopic<String, AudioChunk> chunks;
    final TestInputTopic<String, SessionResult> resultsIn;
    final TestOutputTopic<String, SessionResult> results;
    final TestOutputTopic<String, TranscriptionEvent> transcriptions;
    final TestOutputTopic<String, ResponseEvent> responses;
    final TestOutputTopic<byte[], DeadLetter> deadLetters;
    final KeyValueStore<String, SessionState> state;
    final SessionSchedule schedule;
    final ChunkIndex chunkIndex;

    TopologyHarness(Path stateDir, AssemblerSettings settings, DispatchServices services, Instant start) {
        var config = ConfigLoader.fromMap(Map.of("bootstrap.servers", "127.0.0.1:1",
                "schema.registry.url", "http://127.0.0.1:1", "realtime.url", "ws://127.0.0.1:1/v1/realtime"), Map.of());
        Topics topics = Topics.create(config.topics(), new InMemoryRegistryClient());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // as in production: the dispatcher connects a session one commit interval after marking it IN_FLIGHT
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, (int) TranscribeTopology.DISPATCH_EVERY.toMillis());
        driver = new TopologyTestDriver(TranscribeTopology.build(topics, settings, services), props, start);
        configs = driver.createInputTopic(topics.sessionConfigs().name(), topics.sessionConfigs().keySerde().serializer(),
                topics.sessionConfigs().valueSerde().serializer(), start, Duration.ZERO);
        chunks = driver.createInputTopic(topics.audioChunks().name(), topics.audioChunks().keySerde().serializer(),
                topics.audioChunks().valueSerde().serializer(), start, Duration.ZERO);
        resultsIn = driver.createInputTopic(topics.sessionResults().name(), topics.sessionResults().keySerde().serializer(),
                topics.sessionResults().valueSerde().serializer(), start, Duration.ZERO);
        results = driver.createOutputTopic(topics.sessionResults().name(), topics.sessionResults().keySerde().deserializer(),
                topics.sessionResults().valueSerde().deserializer());
        transcriptions = driver.createOutputTopic(topics.transcriptions().name(),
                topics.transcriptions().keySerde().deserializer(), topics.transcriptions().valueSerde().deserializer());
        responses = driver.createOutputTopic(topics.responses().name(), topics.responses().keySerde().deserializer(),
                topics.responses().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters().name(), topics.deadLetters().keySerde().deserializer(),
                topics.deadLetters().valueSerde().deserializer());
        state = driver.getKeyValueStore(StoreNames.SESSION_STATE);
        KeyValueStore<Bytes, byte[]> scheduleStore = driver.getKeyValueStore(StoreNames.SESSION_SCHEDULE);
        schedule = new SessionSchedule(scheduleStore);
        KeyValueStore<Bytes, byte[]> index = driver.getKeyValueStore(StoreNames.CHUNK_INDEX);
        chunkIndex = new ChunkIndex(index);
    }

    /** A complete transcription-only session of one 200 ms turn: its config and its one chunk. */
    void publishOneTurn(String session) {
        configs.pipeInput(session, TestConfigs.transcription(Dialect.OPENAI_GA, session));
        chunks.pipeInput(session, AudioChunk.newBuilder().setSessionId(session).setSeq(0).setTurnIndex(0)
                .setAudio(ByteBuffer.wrap(new byte[9_600])).setEndOfTurn(true).setEndOfSession(true).build());
    }

    @Override
    public void close() {
        driver.close();
    }
}
