package dev.streamscribe.topology;

import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.registry.RegistryClientConfig;
import dev.streamscribe.registry.SchemaRegistryClient;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The one place the pipeline's topology is built (DESIGN.md section 4); {@code run}, {@code describe} and the
 * tests all call {@link #build}. Every node and store is named.
 */
public final class TranscribeTopology {
    public static final String CONFIG_SOURCE = "session-configs-source";
    public static final String CHUNK_SOURCE = "audio-chunks-source";
    public static final String RESULTS_SOURCE = "session-results-source";
    public static final String ASSEMBLER = "SessionAssembler";
    public static final String FINISHED_RUNS_UPDATER = "FinishedRunsUpdater";
    public static final String DEAD_LETTER_SINK = "dead-letters-sink";
    public static final String RESULT_SINK = "session-results-sink";

    private TranscribeTopology() {
    }

    /** The topology of {@code config} as {@code Topology#describe()} prints it; builds serdes but contacts nothing. */
    public static String describe(PipelineConfig config) {
        Topics topics = Topics.create(config.topics(), new SchemaRegistryClient(new RegistryClientConfig(
                config.registry().url(), java.util.Optional.empty(), config.registry().requestTimeout(),
                config.registry().autoRegister())));
        return build(topics, assemblerSettings(config)).describe().toString();
    }

    /** The assembler's settings from a pipeline definition. */
    public static SessionAssembler.Settings assemblerSettings(PipelineConfig config) {
        return new SessionAssembler.Settings(config.streams().sessionIdleTimeout(), java.time.Duration.ofSeconds(5),
                java.time.Duration.ofSeconds(1), config.realtime().dialect());
    }

    public static Topology build(Topics topics, SessionAssembler.Settings assembler) {
        Topology topology = new Topology();
        topology.addSource(CONFIG_SOURCE, topics.sessionConfigs().keySerde().deserializer(),
                topics.sessionConfigs().valueSerde().deserializer(), topics.sessionConfigs().name());
        topology.addSource(CHUNK_SOURCE, topics.audioChunks().keySerde().deserializer(),
                topics.audioChunks().valueSerde().deserializer(), topics.audioChunks().name());
        topology.addProcessor(ASSEMBLER, () -> new SessionAssembler(assembler, DEAD_LETTER_SINK, RESULT_SINK),
                CONFIG_SOURCE, CHUNK_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.SESSION_STATE),
                Serdes.String(), new SessionStateSerde()), ASSEMBLER);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.CHUNK_INDEX),
                Serdes.Bytes(), Serdes.ByteArray()), ASSEMBLER);
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.FINISHED_RUNS),
                        Serdes.String(), Serdes.String()).withLoggingDisabled(),
                RESULTS_SOURCE, topics.sessionResults().keySerde().deserializer(),
                topics.sessionResults().valueSerde().deserializer(), topics.sessionResults().name(),
                FINISHED_RUNS_UPDATER, FinishedRunsUpdater::new);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetters().name(), topics.deadLetters().keySerde().serializer(),
                topics.deadLetters().valueSerde().serializer(), ASSEMBLER);
        topology.addSink(RESULT_SINK, topics.sessionResults().name(), topics.sessionResults().keySerde().serializer(),
                topics.sessionResults().valueSerde().serializer(), ASSEMBLER);
        return topology;
    }
}
