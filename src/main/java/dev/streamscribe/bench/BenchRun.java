package dev.streamscribe.bench;

import dev.streamscribe.audio.AudioFileDecoder;
import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.embedded.ApicurioRegistry;
import dev.streamscribe.embedded.PortAllocator;
import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.ingest.AudioIngestor;
import dev.streamscribe.ingest.IngestJob;
import dev.streamscribe.ingest.IngestProducer;
import dev.streamscribe.ingest.TurnPolicy;
import dev.streamscribe.results.TopicReader;
import dev.streamscribe.topology.PipelineTopics;
import dev.streamscribe.topology.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One bench run (issue 9): the broker, the registry, the local realtime server and the pipeline each in a process
 * of their own; this JVM only publishes, reads results and measures. Five phases, each against a baseline measured
 * in the same run, because these machines are too noisy for absolute figures.
 *
 * <p>Threading: runs on the caller's thread; the probes and child-output copiers run their own.
 */
public final class BenchRun implements AutoCloseable {
    private static final int CHUNK_BYTES = AudioEncoding.MAX_CHUNK_BYTES;
    private static final int BYTES_PER_SECOND = AudioEncoding.PCM16.bytesPerMillisecond() * 1000;
    private static final String WARM_UP = "warm-up";

    private final BenchSettings settings;
    private final Path work;
    private final Consumer<String> progress;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final BenchReport report = new BenchReport();
    private String bootstrap;
    private String registryUrl;
    private int pipelines;
    private ChildJvm broker;

    /** Every phase: "throughput" (with the raw baseline and the latency), "concurrency", "memory". */
    public static final java.util.Set<String> ALL_PHASES = java.util.Set.of("throughput", "concurrency", "memory");
    private java.util.Set<String> phases = ALL_PHASES;

    /** Runs only these phases (for profiling one of them). */
    public BenchRun onlyPhases(java.util.Set<String> chosen) {
        if (!ALL_PHASES.containsAll(chosen) || chosen.isEmpty()) {
            throw new IllegalArgumentException("phases are " + ALL_PHASES + ", not " + chosen);
        }
        phases = java.util.Set.copyOf(chosen);
        return this;
    }

    public BenchRun(BenchSettings settings, Path work, Consumer<String> progress) {
        this.settings = settings;
        this.work = work;
        this.progress = progress;
    }

    /** Runs every phase and returns the report. */
    public BenchReport run() throws Exception {
        long started = System.nanoTime();
        machineFacts();
        broker = child("broker", List.of("-Xmx1g"), List.of("serve-kafka", "--port", "0", "--data-dir",
                work.resolve("kafka").toString()), line -> line.startsWith("Kafka broker listening on"));
        bootstrap = broker.readyLine().split("\\s+")[4];
        ApicurioRegistry registry = ApicurioRegistry.start(ApicurioRegistry.Options.defaults()
                .withLogFile(work.resolve("apicurio-registry.log")));
        open.add(registry);
        registryUrl = registry.url();
        progress.accept("broker at " + bootstrap + ", registry at " + registryUrl);

        if (phases.contains("throughput")) {
            ChildJvm instant = server("server-instant", Duration.ZERO);
            double rawMbPerSecond = rawKafkaBaseline();
            throughputAndLatency(instant, rawMbPerSecond);
            instant.close();
        }
        if (phases.contains("concurrency")) {
            concurrency();
        }
        if (phases.contains("memory")) {
            memory();
        }
        report.machine("bench", settings.name());
        report.machine("wall time", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - started) / 1e9));
        return report;
    }

    private void machineFacts() {
        report.machine("cores", Runtime.getRuntime().availableProcessors());
        report.machine("JDK", Runtime.version().toString());
        report.machine("OS", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        report.machine("pipeline heap", "-Xmx" + settings.pipelineHeap());
        report.machine("commit interval", settings.commitInterval().toMillis() + " ms");
        report.machine("chunk size", CHUNK_BYTES / 1024 + " KiB");
    }

    // ------------------------------------------------------------------ phase 1: raw Kafka

    /** Produces and consumes the throughput phase's bytes with plain clients: the same chunk size and producer settings. */
    private double rawKafkaBaseline() throws Exception {
        long total = (long) settings.throughputSessions() * settings.throughputSeconds() * BYTES_PER_SECOND;
        String topic = "bench-raw";
        Map<String, Object> clients = Map.of("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(clients)) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Thread.sleep(1_000); // leaders elected before the first produce (docs/architecture.md section 8)
        byte[] chunk = new byte[CHUNK_BYTES];
        new Random(1).nextBytes(chunk);
        long[] consumedAt = {0};
        java.util.concurrent.CountDownLatch assigned = new java.util.concurrent.CountDownLatch(1);
        Thread consumer = Thread.ofPlatform().name("raw-consumer").start(() -> {
            Map<String, Object> props = new HashMap<>(clients);
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<byte[], byte[]> in = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = in.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                in.assign(partitions);
                in.seekToBeginning(partitions);
                partitions.forEach(in::position); // resolve the start now, not inside the measured time
                assigned.countDown();
                long bytes = 0;
                while (bytes < total) {
                    for (var record : in.poll(Duration.ofMillis(100))) {
                        bytes += record.value().length;
                    }
                }
                consumedAt[0] = System.nanoTime();
            }
        });
        assigned.await(60, TimeUnit.SECONDS);
        long start = System.nanoTime();
        try (Producer<byte[], byte[]> out = producer()) {
            for (long sent = 0, i = 0; sent < total; sent += CHUNK_BYTES, i++) {
                int length = (int) Math.min(CHUNK_BYTES, total - sent);
                out.send(new ProducerRecord<>(topic, ("raw-" + i % 64).getBytes(StandardCharsets.UTF_8),
                        length == CHUNK_BYTES ? chunk : Arrays.copyOf(chunk, length)));
            }
        }
        consumer.join(TimeUnit.MINUTES.toMillis(5));
        double seconds = (consumedAt[0] - start) / 1e9;
        double mbPerSecond = total / 1e6 / seconds;
        report.row(new BenchReport.Row("1 raw Kafka", "produce + consume " + mb(total) + " in 256 KiB records",
                String.format(Locale.ROOT, "%.1f MB/s", mbPerSecond), null, null, null, null));
        report.headline("rawKafkaMBps", round(mbPerSecond));
        progress.accept(String.format(Locale.ROOT, "raw Kafka: %.1f MB/s", mbPerSecond));
        return mbPerSecond;
    }

    // ------------------------------------------------------------------ phase 2 and 4: throughput and latency

    private void throughputAndLatency(ChildJvm server, double rawMbPerSecond) throws Exception {
        Pipeline pipeline = pipeline("throughput", server, 16);
        try {
            List<Path> files = new ArrayList<>();
            Path audio = Files.createDirectories(work.resolve("audio"));
            for (int i = 0; i < settings.throughputSessions(); i++) {
                files.add(writePcm(audio.resolve("session-" + i + ".pcm"), settings.throughputSeconds(), 100 + i));
            }
            long totalBytes = (long) settings.throughputSessions() * settings.throughputSeconds() * BYTES_PER_SECOND;
            try (TopicReader<SessionResult> results = pipeline.results();
                 Producer<byte[], byte[]> producer = producer()) {
                AudioIngestor ingestor = new AudioIngestor(producer, pipeline.topics(), ingestSettings(), Clock.systemUTC());
                Map<String, Double> cpuBefore = cpu(pipeline.jvm(), server);
                long start = System.nanoTime();
                IngestJob.Report ingestReport = new IngestJob(ingestor).run(files, new IngestJob.Listener() { });
                if (!ingestReport.ok()) {
                    throw new IllegalStateException("ingest failed: " + ingestReport.failures());
                }
                long ingested = System.nanoTime();
                Map<String, SessionResult> done = awaitResults(results, files.size(), Duration.ofMinutes(10));
                double seconds = (System.nanoTime() - start) / 1e9;
                requireCompleted(done, "throughput");
                String cpuUse = cpuUse(cpuBefore, cpu(pipeline.jvm(), server));
                report.row(new BenchReport.Row("2 pipeline throughput", "CPU seconds used during the phase, per process",
                        cpuUse, String.format(Locale.ROOT, "%.1f s wall x %d cores", seconds,
                        Runtime.getRuntime().availableProcessors()), null, null, null));
                progress.accept("CPU seconds: " + cpuUse);
                double audioRate = settings.throughputSessions() * (double) settings.throughputSeconds() / seconds;
                double mbPerSecond = totalBytes / 1e6 / seconds;
                double ratio = mbPerSecond / rawMbPerSecond;
                report.row(new BenchReport.Row("2 pipeline throughput", settings.throughputSessions() + " sessions x "
                        + settings.throughputSeconds() + " s pcm16, instant server: ingest -> result",
                        String.format(Locale.ROOT, "%.1f MB/s (%.0f s of audio per s; ingest alone %.1f s)", mbPerSecond,
                                audioRate, (ingested - start) / 1e9),
                        String.format(Locale.ROOT, "%.1f MB/s raw Kafka", rawMbPerSecond), ratio, ">= 0.50", ratio >= 0.5));
                report.headline("throughputRatioToRawKafka", round(ratio));
                report.headline("audioSecondsPerSecond", round(audioRate));
                progress.accept(String.format(Locale.ROOT, "throughput: %.1f MB/s, %.2f of raw Kafka", mbPerSecond, ratio));
                latency(pipeline, results, producer);
            }
        } finally {
            pipeline.close();
        }
    }

    /** From end_of_session acknowledged to the SessionResult readable (read_committed), minus the provider's time. */
    private void latency(Pipeline pipeline, TopicReader<SessionResult> results, Producer<byte[], byte[]> producer)
            throws Exception {
        byte[] second = new byte[BYTES_PER_SECOND];
        new Random(7).nextBytes(second);
        List<Double> added = new ArrayList<>();
        List<Double> provider = new ArrayList<>();
        for (int i = 0; i < settings.latencySessions(); i++) {
            String session = "latency-" + i;
            publishSession(producer, pipeline.topics(), session, second).get();
            long published = System.nanoTime();
            SessionResult result = awaitResults(results, 1, Duration.ofSeconds(60)).get(session);
            long seen = System.nanoTime();
            if (result == null) {
                throw new IllegalStateException("latency session " + session + " got no result");
            }
            double providerMs = result.getFinishedAtMs() - result.getStartedAtMs();
            provider.add(providerMs);
            added.add((seen - published) / 1e6 - providerMs);
        }
        added.sort(Double::compare);
        double p50 = percentile(added, 50);
        double p99 = percentile(added, 99);
        double providerP50 = percentile(provider.stream().sorted().toList(), 50);
        report.row(new BenchReport.Row("4 added latency", settings.latencySessions() + " sessions of 1 s, one at a time, "
                + "commit interval " + settings.commitInterval().toMillis() + " ms",
                String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms", p50, p99),
                String.format(Locale.ROOT, "provider's own time p50 %.0f ms (subtracted)", providerP50),
                null, "p99 <= 250 ms", p99 <= 250));
        report.headline("addedLatencyP50Ms", round(p50));
        report.headline("addedLatencyP99Ms", round(p99));
        progress.accept(String.format(Locale.ROOT, "added latency: p50 %.0f ms, p99 %.0f ms", p50, p99));
    }

    // ------------------------------------------------------------------ phase 3: concurrency

    private void concurrency() throws Exception {
        ChildJvm server = server("server-delayed", settings.serverDelay());
        try {
            byte[] second = new byte[BYTES_PER_SECOND];
            new Random(3).nextBytes(second);
            for (int level : settings.concurrencyLevels()) {
                Pipeline pipeline = pipeline("concurrency-" + level, server, level);
                try (TopicReader<SessionResult> results = pipeline.results();
                     Producer<byte[], byte[]> producer = producer();
                     JvmProbe probe = JvmProbe.start(pipeline.jvm().pid(), false, 500)) {
                    int sessions = level * settings.waves();
                    Map<String, Double> cpuBefore = cpu(pipeline.jvm(), server);
                    long start = System.nanoTime();
                    for (int i = 0; i < sessions; i++) {
                        publishSession(producer, pipeline.topics(), "c" + level + "-" + i, second);
                    }
                    producer.flush();
                    Map<String, SessionResult> done = awaitResults(results, sessions,
                            settings.serverDelay().multipliedBy(settings.waves() * 4L).plusMinutes(2));
                    double seconds = (System.nanoTime() - start) / 1e9;
                    requireCompleted(done, "concurrency " + level);
                    String cpuUse = cpuUse(cpuBefore, cpu(pipeline.jvm(), server));
                    progress.accept("CPU seconds at " + level + ": " + cpuUse);
                    double achieved = sessions / seconds;
                    double ideal = level / (double) settings.serverDelay().toSeconds();
                    double ratio = achieved / ideal;
                    long heapMb = probe.peakHeapBytes() / (1024 * 1024);
                    boolean heapMet = heapMb <= 512;
                    report.row(new BenchReport.Row("3 concurrency", sessions + " sessions at max " + level + " in flight, "
                            + "server delay " + settings.serverDelay().toSeconds() + " s",
                            String.format(Locale.ROOT, "%.2f sessions/s; peak heap in use %d MiB (sampled), %d threads, "
                                    + "%d sockets; CPU s: %s", achieved, heapMb, probe.peakThreads(), probe.peakSockets(),
                                    cpuUse),
                            String.format(Locale.ROOT, "ideal %.2f sessions/s", ideal), ratio,
                            level >= 1_000 ? ">= 0.90, heap <= 512 MiB" : ">= 0.90", ratio >= 0.9 && (level < 1_000 || heapMet)));
                    report.headline("concurrency" + level + "RatioToIdeal", round(ratio));
                    report.headline("concurrency" + level + "PeakHeapMiB", heapMb);
                    progress.accept(String.format(Locale.ROOT, "concurrency %d: %.2f of ideal, peak heap %d MiB, %d threads, %d sockets",
                            level, ratio, heapMb, probe.peakThreads(), probe.peakSockets()));
                } finally {
                    pipeline.close();
                }
            }
        } finally {
            server.close();
        }
    }

    // ------------------------------------------------------------------ phase 5: memory

    private void memory() throws Exception {
        ChildJvm server = server("server-memory", Duration.ZERO);
        try {
            long shortPeak = peakLiveHeap(server, settings.shortSessionMinutes());
            long longPeak = peakLiveHeap(server, settings.longSessionMinutes());
            double ratio = (double) longPeak / shortPeak;
            report.row(new BenchReport.Row("5 memory", "peak live heap (after a full GC each second) of the pipeline JVM, one "
                    + settings.longSessionMinutes() + "-minute session",
                    String.format(Locale.ROOT, "%.1f MiB", longPeak / 1048576.0),
                    String.format(Locale.ROOT, "%.1f MiB for one %d-minute session", shortPeak / 1048576.0,
                            settings.shortSessionMinutes()), ratio, "<= 1.10", ratio <= 1.10));
            report.headline("longSessionHeapRatio", round(ratio));
            progress.accept(String.format(Locale.ROOT, "memory: %d min %.1f MiB vs %d min %.1f MiB (%.2f)",
                    settings.longSessionMinutes(), longPeak / 1048576.0, settings.shortSessionMinutes(),
                    shortPeak / 1048576.0, ratio));
        } finally {
            server.close();
        }
    }

    /**
     * Peak live heap of a fresh pipeline JVM while it runs one session of {@code minutes}: a full GC every second
     * (jcmd GC.run), and the heap left after each, read from the JVM's own GC log, so the figure is exact and not
     * blurred by what is allocated between a GC and a reading.
     */
    private long peakLiveHeap(ChildJvm server, int minutes) throws Exception {
        Path gcLog = work.resolve("gc-memory-" + minutes + ".log");
        Pipeline pipeline = pipeline("memory-" + minutes, server, 16, List.of("-Xlog:gc:file=" + gcLog));
        Path file = writePcm(Files.createDirectories(work.resolve("memory")).resolve(minutes + "min.pcm"), minutes * 60, minutes);
        int startUpLines = Files.readAllLines(gcLog).size(); // start-up and warm-up are not this session's
        try (TopicReader<SessionResult> results = pipeline.results();
             Producer<byte[], byte[]> producer = producer();
             JvmProbe probe = JvmProbe.start(pipeline.jvm().pid(), true, 1_000)) {
            new AudioIngestor(producer, pipeline.topics(), ingestSettings(), Clock.systemUTC()).ingest(file, (s, o) -> { });
            requireCompleted(awaitResults(results, 1, Duration.ofMinutes(10)), "memory " + minutes + " min");
            Thread.sleep(1_500); // one more sample after the result
        } finally {
            pipeline.close();
            Files.deleteIfExists(file);
        }
        List<String> lines = Files.readAllLines(gcLog);
        return peakAfterFullGc(lines.subList(Math.min(startUpLines, lines.size()), lines.size()), gcLog);
    }

    /** The largest heap left after a requested full collection (jcmd GC.run), from a -Xlog:gc log. */
    static long peakAfterFullGc(List<String> lines, Path gcLog) {
        java.util.regex.Pattern full = java.util.regex.Pattern.compile(
                "Pause Full \\((?:Diagnostic Command|System\\.gc\\(\\))\\) \\d+M->(\\d+)M");
        long peak = 0;
        for (String line : lines) {
            java.util.regex.Matcher m = full.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Long.parseLong(m.group(1)));
            }
        }
        if (peak == 0) {
            throw new IllegalStateException("no full GC in " + gcLog + ": the live heap was not measured");
        }
        return peak * 1024 * 1024;
    }

    // ------------------------------------------------------------------ helpers

    private static String cpuUse(Map<String, Double> before, Map<String, Double> after) {
        StringBuilder use = new StringBuilder();
        after.forEach((process, seconds) -> use.append(use.isEmpty() ? "" : ", ").append(process)
                .append(String.format(Locale.ROOT, " %.1f", seconds - before.get(process))));
        return use.toString();
    }

    /** CPU seconds so far of every process of the bench. */
    private Map<String, Double> cpu(ChildJvm pipeline, ChildJvm server) {
        Map<String, Double> cpu = new java.util.LinkedHashMap<>();
        cpu.put("pipeline", JvmProbe.cpuSeconds(pipeline.pid()));
        cpu.put("realtime server", JvmProbe.cpuSeconds(server.pid()));
        cpu.put("broker", JvmProbe.cpuSeconds(broker.pid()));
        cpu.put("ingest (bench JVM)", JvmProbe.cpuSeconds(ProcessHandle.current().pid()));
        return cpu;
    }

    /** The pipeline in its own JVM, and the typed topics to talk to it. */
    private record Pipeline(ChildJvm jvm, Topics topics, Map<String, Object> clients) implements AutoCloseable {
        TopicReader<SessionResult> results() {
            return new TopicReader<>(clients, topics.sessionResults().name(), topics.sessionResults().valueSerde().deserializer());
        }

        @Override
        public void close() {
            jvm.close();
        }
    }

    private Pipeline pipeline(String name, ChildJvm server, int maxConcurrent) throws Exception {
        return pipeline(name, server, maxConcurrent, List.of());
    }

    private Pipeline pipeline(String name, ChildJvm server, int maxConcurrent, List<String> moreJvmOptions)
            throws Exception {
        String id = "bench-" + (++pipelines) + "-" + name;
        int operationsPort = PortAllocator.freePort();
        String serverPort = server.readyLine().replaceAll(".*127\\.0\\.0\\.1:(\\d+).*", "$1");
        Map<String, String> settingsMap = new java.util.LinkedHashMap<>();
        settingsMap.put("application.id", id);
        settingsMap.put("bootstrap.servers", bootstrap);
        settingsMap.put("topic.prefix", id + ".");
        settingsMap.put("topic.partitions", "3");
        settingsMap.put("schema.registry.url", registryUrl);
        settingsMap.put("realtime.dialect", "openai-ga");
        settingsMap.put("realtime.url", "ws://127.0.0.1:" + serverPort + "/v1/realtime");
        settingsMap.put("realtime.max-concurrent-sessions", Integer.toString(maxConcurrent));
        settingsMap.put("state.dir", work.resolve("state").resolve(id).toString());
        settingsMap.put("operations.port", Integer.toString(operationsPort));
        settingsMap.put("commit.interval.ms", Long.toString(settings.commitInterval().toMillis()));
        Path file = work.resolve(id + ".properties");
        StringBuilder text = new StringBuilder();
        settingsMap.forEach((key, value) -> text.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n'));
        Files.writeString(file, text);
        PipelineConfig config = ConfigLoader.load(file, Map.of(), Map.of());
        Topics topics = PipelineTopics.connect(config, Map.of());
        PipelineTopics.prepare(config, topics); // created here, so the first produce does not race the pipeline's
        List<String> jvmOptions = new ArrayList<>(List.of("-Xmx" + settings.pipelineHeap()));
        settings.pipelineJvmOptions().forEach(option -> jvmOptions.add(option.replace("{name}", id)));
        jvmOptions.addAll(moreJvmOptions);
        ChildJvm jvm = child(id, jvmOptions, List.of("run", "--config", file.toString()),
                line -> line.contains(" running: "));
        awaitReady(operationsPort);
        Pipeline pipeline = new Pipeline(jvm, topics, PipelineTopics.clientProperties(config));
        warmUp(pipeline);
        return pipeline;
    }

    /**
     * One session through the pipeline before measuring: the first transactions of a fresh application (producer
     * fencing, changelog topics created moments before) take seconds on a single broker, a start-up cost that is not
     * the steady state the phases measure.
     */
    private void warmUp(Pipeline pipeline) throws Exception {
        byte[] audio = new byte[BYTES_PER_SECOND / 2];
        new Random(5).nextBytes(audio);
        try (TopicReader<SessionResult> results = pipeline.results(); Producer<byte[], byte[]> producer = producer()) {
            publishSession(producer, pipeline.topics(), WARM_UP, audio).get();
            awaitResults(results, 1, Duration.ofSeconds(60).plus(settings.serverDelay()), WARM_UP::equals);
        }
    }

    private ChildJvm server(String name, Duration delay) throws Exception {
        return child(name, List.of("-Xmx1g"), List.of("serve-realtime", "--port", "0", "--engine", "deterministic",
                "--dialect", "openai-ga", "--transcription-delay-ms", Long.toString(delay.toMillis())),
                line -> line.startsWith("streamscribe local realtime server listening on"));
    }

    private ChildJvm child(String name, List<String> jvmOptions, List<String> args,
                           java.util.function.Predicate<String> ready) throws IOException, TimeoutException {
        ChildJvm jvm = ChildJvm.start(name, jvmOptions, args, work.resolve(name + ".log"), ready, Duration.ofSeconds(120));
        open.add(jvm);
        return jvm;
    }

    private static void awaitReady(int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new TimeoutException("the pipeline was not ready after 120 s");
    }

    private static AudioIngestor.Settings ingestSettings() {
        SessionConfig template = SessionConfig.newBuilder().setSessionId("template").setRunToken("template")
                .setTranscription(TranscriptionSettings.newBuilder().setModel("gpt-4o-transcribe").build()).build();
        return new AudioIngestor.Settings(AudioEncoding.PCM16, AudioFileDecoder.RawFormat.pcm16Mono24k(),
                new TurnPolicy(Duration.ofSeconds(120), Duration.ZERO, -40, Duration.ZERO), CHUNK_BYTES, template,
                Map.of("bench", "true"));
    }

    /**
     * A config, then one chunk that ends the session (so the chunk's acknowledgement is "end_of_session published").
     *
     * @return the chunk's acknowledgement
     */
    private static java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> publishSession(
            Producer<byte[], byte[]> producer, Topics topics, String sessionId, byte[] audio) {
        SessionConfig config = SessionConfig.newBuilder().setSessionId(sessionId).setRunToken("bench")
                .setTranscription(TranscriptionSettings.newBuilder().setModel("gpt-4o-transcribe").build()).build();
        AudioChunk chunk = AudioChunk.newBuilder().setSessionId(sessionId).setSeq(0).setTurnIndex(0)
                .setAudio(ByteBuffer.wrap(audio)).setEndOfTurn(true).setEndOfSession(true)
                .setProducedAtMs(System.currentTimeMillis()).build();
        byte[] key = sessionId.getBytes(StandardCharsets.UTF_8);
        String configs = topics.sessionConfigs().name();
        String chunks = topics.audioChunks().name();
        producer.send(new ProducerRecord<>(configs, key, topics.sessionConfigs().valueSerde().serializer().serialize(configs, config)));
        return producer.send(new ProducerRecord<>(chunks, key, topics.audioChunks().valueSerde().serializer().serialize(chunks, chunk)));
    }

    private static Map<String, SessionResult> awaitResults(TopicReader<SessionResult> results, int count, Duration timeout)
            throws TimeoutException {
        return awaitResults(results, count, timeout, id -> !WARM_UP.equals(id));
    }

    private static Map<String, SessionResult> awaitResults(TopicReader<SessionResult> results, int count, Duration timeout,
                                                           java.util.function.Predicate<String> counted)
            throws TimeoutException {
        Map<String, SessionResult> done = new HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (done.size() < count) {
            for (var record : results.poll(Duration.ofMillis(20))) {
                if (counted.test(record.key())) {
                    done.put(record.key(), record.value());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(done.size() + " of " + count + " results after " + timeout.toSeconds() + " s");
            }
        }
        return done;
    }

    private static void requireCompleted(Map<String, SessionResult> results, String phase) {
        List<String> bad = results.values().stream().filter(r -> r.getStatus() != SessionStatus.COMPLETED)
                .map(r -> r.getSessionId() + " " + r.getStatus() + " " + r.getReason()).toList();
        if (!bad.isEmpty()) {
            throw new IllegalStateException(phase + ": sessions did not complete: " + bad);
        }
    }

    /** The same producer as ingest, for the baseline and the pipeline alike. */
    private Producer<byte[], byte[]> producer() {
        return IngestProducer.create(Map.of("bootstrap.servers", bootstrap));
    }

    private Path writePcm(Path file, int seconds, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] block = new byte[BYTES_PER_SECOND];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int s = 0; s < seconds; s++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
        return file;
    }

    private static double percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    @Override
    public void close() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                progress.accept("closing " + open.get(i) + " failed: " + e);
            }
        }
    }
}
