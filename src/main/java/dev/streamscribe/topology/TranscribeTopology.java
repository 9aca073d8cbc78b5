package dev.streamscribe.topology;

import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.registry.RegistryClientConfig;
import dev.streamscribe.registry.SchemaRegistryClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The one place the pipeline's topology is built (docs/architecture.md section 4); {@code run}, {@code describe} and the
 * tests all call {@link #build}. Every node and store is named.
 */
public final class TranscribeTopology {
    public static final String CONFIG_SOURCE = "session-configs-source";
    public static final String CHUNK_SOURCE = "audio-chunks-source";
    public static final String RESULTS_SOURCE = "session-results-source";
    public static final String ASSEMBLER = "SessionAssembler";
    public static final String FINISHED_RUNS_UPDATER = "FinishedRunsUpdater";
    public static final String DISPATCHER = "SessionDispatcher";
    public static final String DRAIN = "CompletionDrain";
    public static final String DEAD_LETTER_SINK = "dead-letters-sink";
    public static final String RESULT_SINK = "session-results-sink";
    public static final String TRANSCRIPTION_SINK = "transcriptions-sink";
    public static final String RESPONSE_SINK = "responses-sink";
    /** How often the dispatcher looks for free slots and the drain for finished attempts (wall clock). */
    public static final Duration DISPATCH_EVERY = Duration.ofMillis(100);
    public static final Duration DRAIN_EVERY = Duration.ofMillis(50);
    /**
     * The dispatcher's and the drain's pace once they have had nothing to do for {@link #QUIET_AFTER} ({@link Cadence}):
     * every punctuation marks the task for commit, so an idle stream thread commits 2-4 times a second (the
     * assembler's expiry checks, once a second per task) instead of about ten (bench, soak phase).
     */
    public static final Duration QUIET_EVERY = Duration.ofSeconds(5);
    public static final Duration QUIET_AFTER = Duration.ofSeconds(2);

    private TranscribeTopology() {
    }

    /** The topology of {@code config} as {@code Topology#describe()} prints it; builds serdes but contacts nothing. */
    public static String describe(PipelineConfig config) {
        Topics topics = Topics.create(config.topics(), new SchemaRegistryClient(new RegistryClientConfig(
                config.registry().url(), Optional.empty(), config.registry().requestTimeout(),
                config.registry().autoRegister())));
        DispatchServices runsNothing = DispatchServices.create(0, (request, chunks) -> CompletableFuture.failedFuture(
                        new IllegalStateException("describe builds the topology only; it runs no session")),
                new RetryPolicy(1, Duration.ZERO), new PipelineMetrics(new SimpleMeterRegistry()));
        return build(topics, assemblerSettings(config, Optional.empty()), runsNothing).describe().toString();
    }

    /**
     * The assembler's settings from a pipeline definition.
     *
     * @param audioRetention the audio topic's retention.ms (empty: infinite): finished sessions are forgotten after it
     */
    public static AssemblerSettings assemblerSettings(PipelineConfig config, Optional<Duration> audioRetention) {
        PipelineConfig.SessionLimits limits = config.streams().sessionLimits();
        return new AssemblerSettings(config.streams().sessionIdleTimeout(), Duration.ofSeconds(5),
                Duration.ofSeconds(1), config.realtime().dialect(),
                new SessionAssembler.Limits(limits.maxChunks(), limits.maxAudio(), limits.maxTurns(), limits.maxAge(),
                        limits.liveMaxAge()),
                audioRetention).withProviders(config.providers());
    }

    /**
     * @param dispatch what the dispatchers and drains of this JVM share (admission gate, queues, launcher)
     */
    public static Topology build(Topics topics, AssemblerSettings assembler, DispatchServices dispatch) {
        Topology topology = new Topology();
        topology.addSource(CONFIG_SOURCE, topics.sessionConfigs().keySerde().deserializer(),
                topics.sessionConfigs().valueSerde().deserializer(), topics.sessionConfigs().name());
        topology.addSource(CHUNK_SOURCE, topics.audioChunks().keySerde().deserializer(),
                topics.audioChunks().valueSerde().deserializer(), topics.audioChunks().name());
        topology.addProcessor(ASSEMBLER, () -> new SessionAssembler(assembler, DEAD_LETTER_SINK, RESULT_SINK, DISPATCHER,
                dispatch.metrics()), CONFIG_SOURCE, CHUNK_SOURCE);
        topology.addProcessor(DISPATCHER, () -> new SessionDispatcher(dispatch, DISPATCH_EVERY, assembler.timing()), ASSEMBLER);
        topology.addProcessor(DRAIN, () -> new CompletionDrain(dispatch, DRAIN_EVERY,
                new CompletionDrain.Sinks(TRANSCRIPTION_SINK, RESPONSE_SINK, RESULT_SINK, DEAD_LETTER_SINK),
                assembler.timing()), DISPATCHER);
        // Not cached: Kafka Streams' record cache cut the session-state changelog from 6.0 to 2.7 records per one-chunk
        // session, but measured no CPU gain in the bench at 1,000 in flight and 150-200 MiB more sampled peak heap in
        // every run (docs/architecture.md section 4)
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.SESSION_STATE),
                Serdes.String(), new SessionStateSerde()), ASSEMBLER, DISPATCHER, DRAIN);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.CHUNK_INDEX),
                Serdes.Bytes(), Serdes.ByteArray()), ASSEMBLER, DISPATCHER, DRAIN);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.SESSION_SCHEDULE),
                Serdes.Bytes(), Serdes.ByteArray()), ASSEMBLER, DISPATCHER, DRAIN);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.TURN_RESULTS),
                Serdes.Bytes(), Serdes.ByteArray()), ASSEMBLER, DISPATCHER, DRAIN);
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.FINISHED_RUNS),
                        Serdes.String(), Serdes.String()).withLoggingDisabled(),
                RESULTS_SOURCE, topics.sessionResults().keySerde().deserializer(),
                topics.sessionResults().valueSerde().deserializer(), topics.sessionResults().name(),
                FINISHED_RUNS_UPDATER, FinishedRunsUpdater::new);
        // processors key dead letters by the session id as text: the same bytes the topic's byte[] keys hold
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetters().name(), Serdes.String().serializer(),
                topics.deadLetters().valueSerde().serializer(), ASSEMBLER, DRAIN);
        topology.addSink(RESULT_SINK, topics.sessionResults().name(), topics.sessionResults().keySerde().serializer(),
                topics.sessionResults().valueSerde().serializer(), ASSEMBLER, DRAIN);
        topology.addSink(TRANSCRIPTION_SINK, topics.transcriptions().name(), topics.transcriptions().keySerde().serializer(),
                topics.transcriptions().valueSerde().serializer(), DRAIN);
        topology.addSink(RESPONSE_SINK, topics.responses().name(), topics.responses().keySerde().serializer(),
                topics.responses().valueSerde().serializer(), DRAIN);
        return topology;
    }
}
