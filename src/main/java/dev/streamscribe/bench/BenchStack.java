package dev.streamscribe.bench;

import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.embedded.ApicurioRegistry;
import dev.streamscribe.ingest.IngestProducer;
import dev.streamscribe.topology.PipelineTopics;
import dev.streamscribe.topology.Topics;
import org.apache.kafka.clients.producer.Producer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The processes a bench run measures, each in a JVM of its own: one broker and one registry for the whole run,
 * local realtime servers and pipelines per phase. Everything started is stopped by {@link #close()}.
 *
 * <p>Threading: one thread (the bench's).
 */
final class BenchStack implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final BenchSettings settings;
    private final Path work;
    private final Consumer<String> progress;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final ChildJvm broker;
    private final String bootstrap;
    private final String registryUrl;
    private int pipelines;

    private BenchStack(BenchSettings settings, Path work, Consumer<String> progress, ChildJvm broker,
                       ApicurioRegistry registry) {
        this.settings = settings;
        this.work = work;
        this.progress = progress;
        this.broker = broker;
        this.bootstrap = broker.ready("bootstrap.servers");
        this.registryUrl = registry.url();
        open.add(broker);
        open.add(registry);
    }

    /** Starts the broker and the registry. */
    static BenchStack start(BenchSettings settings, Path work, Consumer<String> progress)
            throws IOException, TimeoutException {
        ChildJvm broker = child(work, "broker", List.of("-Xmx1g"), List.of("serve-kafka", "--port", "0",
                "--data-dir", work.resolve("kafka").toString()));
        try {
            ApicurioRegistry registry = ApicurioRegistry.start(ApicurioRegistry.Options.defaults()
                    .withLogFile(work.resolve("apicurio-registry.log")));
            return new BenchStack(settings, work, progress, broker, registry);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    String bootstrap() {
        return bootstrap;
    }

    String registryUrl() {
        return registryUrl;
    }

    ChildJvm broker() {
        return broker;
    }

    /** A local realtime server (deterministic engine, GA) whose transcriptions take {@code delay}. */
    ChildJvm server(String name, Duration delay) throws IOException, TimeoutException {
        return track(child(work, name, List.of("-Xmx1g"), List.of("serve-realtime", "--port", "0", "--engine",
                "deterministic", "--dialect", "openai-ga", "--transcription-delay-ms", Long.toString(delay.toMillis()))));
    }

    BenchPipeline pipeline(String name, ChildJvm server, int maxConcurrent) throws IOException, TimeoutException {
        return pipeline(name, server, maxConcurrent, List.of(), Map.of(), BenchWorkload.WarmUp.ONE);
    }

    BenchPipeline pipeline(String name, ChildJvm server, int maxConcurrent, BenchWorkload.WarmUp warmUp)
            throws IOException, TimeoutException {
        return pipeline(name, server, maxConcurrent, List.of(), Map.of(), warmUp);
    }

    BenchPipeline pipeline(String name, ChildJvm server, int maxConcurrent, List<String> moreJvmOptions,
                           Map<String, String> moreSettings) throws IOException, TimeoutException {
        return pipeline(name, server, maxConcurrent, moreJvmOptions, moreSettings, BenchWorkload.WarmUp.ONE);
    }

    /**
     * A pipeline ({@code streamscribe run}) in its own JVM against {@code server}, ready and warmed up.
     *
     * @param moreSettings pipeline settings beyond the bench's own (e.g. a longer idle timeout)
     * @param warmUp       what goes through it before it is handed over
     */
    BenchPipeline pipeline(String name, ChildJvm server, int maxConcurrent, List<String> moreJvmOptions,
                           Map<String, String> moreSettings, BenchWorkload.WarmUp warmUp)
            throws IOException, TimeoutException {
        String id = "bench-" + (++pipelines) + "-" + name;
        Map<String, String> definition = new LinkedHashMap<>();
        definition.put("application.id", id);
        definition.put("bootstrap.servers", bootstrap);
        definition.put("topic.prefix", id + ".");
        definition.put("topic.partitions", "3");
        definition.put("schema.registry.url", registryUrl);
        definition.put("realtime.dialect", "openai-ga");
        definition.put("realtime.url", server.ready("url.openai-ga"));
        definition.put("realtime.max-concurrent-sessions", Integer.toString(maxConcurrent));
        definition.put("state.dir", work.resolve("state").resolve(id).toString());
        definition.put("operations.port", "0");
        definition.put("commit.interval.ms", Long.toString(settings.commitInterval().toMillis()));
        definition.putAll(moreSettings);
        Path file = work.resolve(id + ".properties");
        StringBuilder text = new StringBuilder();
        definition.forEach((key, value) -> text.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n'));
        Files.writeString(file, text);
        PipelineConfig config = ConfigLoader.load(file, Map.of(), Map.of());
        Topics topics = PipelineTopics.connect(config, Map.of());
        PipelineTopics.prepare(config, topics); // created here, so the first produce does not race the pipeline's
        List<String> jvmOptions = new ArrayList<>(List.of("-Xmx" + settings.pipelineHeap()));
        settings.pipelineJvmOptions().forEach(option -> jvmOptions.add(option.replace("{name}", id)));
        jvmOptions.addAll(moreJvmOptions);
        // ready = Kafka Streams RUNNING, as the child itself reports it
        ChildJvm jvm = track(child(work, id, jvmOptions, List.of("run", "--config", file.toString())));
        BenchPipeline pipeline = new BenchPipeline(id, jvm, topics, PipelineTopics.clientProperties(config), file,
                jvmOptions);
        BenchWorkload.warmUp(pipeline, producer(), settings.serverDelay(), warmUp);
        return pipeline;
    }

    /**
     * Starts {@code crashed}'s pipeline again after its JVM was killed: same definition, same state folder; returns
     * once Kafka Streams is RUNNING again (state restored).
     */
    BenchPipeline restart(BenchPipeline crashed, String suffix) throws IOException, TimeoutException {
        ChildJvm jvm = track(child(work, crashed.id() + "-" + suffix, crashed.jvmOptions(),
                List.of("run", "--config", crashed.definition().toString())));
        return new BenchPipeline(crashed.id(), jvm, crashed.topics(), crashed.clients(), crashed.definition(),
                crashed.jvmOptions());
    }

    /** The same producer as ingest, for the baseline and the pipeline alike. */
    Producer<byte[], byte[]> producer() {
        return IngestProducer.create(Map.of("bootstrap.servers", bootstrap));
    }

    /** CPU seconds so far of every process of the bench. */
    Map<String, Double> cpu(ChildJvm pipeline, ChildJvm server) {
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put("pipeline", JvmProbe.cpuSeconds(pipeline.pid()));
        cpu.put("realtime server", JvmProbe.cpuSeconds(server.pid()));
        cpu.put("broker", JvmProbe.cpuSeconds(broker.pid()));
        cpu.put("ingest (bench JVM)", JvmProbe.cpuSeconds(ProcessHandle.current().pid()));
        return cpu;
    }

    private ChildJvm track(ChildJvm jvm) {
        open.add(jvm);
        return jvm;
    }

    private static ChildJvm child(Path work, String name, List<String> jvmOptions, List<String> args)
            throws IOException, TimeoutException {
        return ChildJvm.start(name, jvmOptions, args, work.resolve(name + ".log"), work.resolve(name + ".ready"),
                START_TIMEOUT);
    }

    @Override
    public void close() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                progress.accept("closing " + open.get(i) + " failed: " + e); // and go on: every process must go
            }
        }
    }
}
