package dev.streamscribe.cli;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.client.SessionPublisher;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.embedded.LocalStack;
import dev.streamscribe.ingest.AudioIngestor;
import dev.streamscribe.ingest.IngestJob;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.RealtimeEndpoint;
import dev.streamscribe.results.ResultCollector;
import dev.streamscribe.results.ResultsSnapshot;
import dev.streamscribe.results.SessionTranscript;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.results.TranscriptFiles;
import dev.streamscribe.results.TranscriptFormat;
import dev.streamscribe.results.WordErrorRate;
import dev.streamscribe.topology.PipelineTopics;
import dev.streamscribe.topology.StreamscribePipeline;
import dev.streamscribe.topology.Topics;
import dev.streamscribe.util.Folders;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** The whole job on one machine: local broker, registry and realtime server; ingest; transcribe; report. */
@Command(name = "demo",
        header = "The whole job offline on this machine: local broker, registry and realtime server; samples/ or your files in, transcripts out.",
        description = {"Run the whole job on this machine, with nothing installed but a JDK: start an embedded Kafka "
                + "broker, the Apicurio schema registry and streamscribe's local realtime server, ingest the "
                + "recordings (the bundled samples/ by default), run the pipeline until every session has its result, "
                + "print each transcript next to its reference (FILE.txt beside FILE.wav) with the word error rate, "
                + "write FILE.txt and FILE.jsonl transcripts into --out, and stop everything.",
                "The local server transcribes with pocketsphinx when it is installed (apt-get install pocketsphinx "
                        + "pocketsphinx-en-us): real offline English recognition. Without it the transcripts come from "
                        + "a deterministic stand-in that describes the audio and is not speech recognition; the demo "
                        + "says which one ran.",
                "With --realtime-url the same job runs against a real provider: that costs what the provider charges "
                        + "for the audio (and responses, if asked for). The broker and registry data live in a "
                        + "temporary folder that is deleted at the end; nothing else is left behind but --out.",
                "Exit code 0 when every recording was transcribed completely; 1 when a file could not be read, a "
                        + "session did not complete, or the time ran out."},
        footer = {"", "Examples:",
                "  streamscribe demo",
                "  streamscribe demo --out transcripts/ ~/recordings",
                "  OPENAI_API_KEY=... streamscribe demo --realtime-url wss://api.openai.com/v1/realtime "
                        + "--api-key-env OPENAI_API_KEY --transcription-model gpt-4o-transcribe"})
final class DemoCommand implements Callable<Integer> {
    /** The environment variable the local server's key travels in (the local server accepts any key). */
    private static final String LOCAL_KEY_ENV = "LOCAL_REALTIME_KEY";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "FILE|DIR",
            description = "Recordings (WAV, or .pcm/.raw with --pcm-*), or folders of them (default: the bundled samples/).")
    List<Path> inputs = List.of();

    @Option(names = "--out", defaultValue = "streamscribe-out",
            description = "Folder for the transcripts (default: ./${DEFAULT-VALUE}/).")
    Path out;

    @Option(names = "--realtime-url", description = "A real provider's WebSocket URL instead of the local server, "
            + "e.g. wss://api.openai.com/v1/realtime.")
    URI realtimeUrl;

    @Option(names = "--dialect", defaultValue = "openai-ga",
            description = "Provider dialect: openai-ga, openai-beta or inworld (default: ${DEFAULT-VALUE}).")
    String dialect;

    @Option(names = "--api-key-env", description = "Name of the environment variable holding the provider's API key "
            + "(with --realtime-url). The key itself is never printed or written.")
    String apiKeyEnv;

    @Option(names = "--engine", defaultValue = "auto",
            description = "Local server's speech engine: auto, pocketsphinx or deterministic (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--max-concurrent-sessions", defaultValue = "4",
            description = "Sessions at the provider at once (default: ${DEFAULT-VALUE}).")
    int maxConcurrent;

    @Option(names = "--timeout-minutes", defaultValue = "30",
            description = "Give up when the sessions have not all finished after this long (default: ${DEFAULT-VALUE}).")
    long timeoutMinutes;

    @Option(names = "--verbose", description = "Show the pipeline's own log lines (per-session INFO) as well.")
    boolean verbose;

    @Mixin
    SessionOptions session;

    @Mixin
    AudioLayoutOptions layout;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Dialect chosen = Dialect.fromId(dialect).orElseThrow(() -> new IllegalArgumentException(
                "unknown --dialect '" + dialect + "'; allowed: " + Dialect.allowed()));
        if (realtimeUrl == null && apiKeyEnv != null) {
            throw new IllegalArgumentException("--api-key-env needs --realtime-url (the local server needs no key)");
        }
        if (realtimeUrl != null && apiKeyEnv != null && System.getenv(apiKeyEnv) == null) {
            throw new IllegalArgumentException("environment variable " + apiKeyEnv + " (--api-key-env) is not set");
        }
        checkSessionOptions(chosen);
        List<Path> recordings = inputs.isEmpty() ? List.of(bundledSamples()) : inputs;
        // the demo reports every session itself; the pipeline's INFO lines would interleave with the progress
        var appLogger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.streamscribe");
        var previousLevel = appLogger.getLevel();
        if (!verbose) {
            appLogger.setLevel(ch.qos.logback.classic.Level.WARN);
        }
        Path work = Files.createTempDirectory("streamscribe-demo-");
        ShutdownLatch shutdown = new ShutdownLatch(120);
        int exit = 1;
        try {
            stdout.println("streamscribe demo: starting the local stack (work folder " + work + ", deleted at the end)");
            stdout.flush();
            try (LocalStack stack = LocalStack.start(work, realtimeUrl == null ? Optional.of(engine) : Optional.empty(),
                    line -> {
                        stdout.println("  " + line);
                        stdout.flush();
                    })) {
                stack.engineName().filter(name -> !name.equals("pocketsphinx")).ifPresent(name -> stdout.println(
                        "  NOTICE: pocketsphinx is not installed (or --engine " + engine + "): the transcripts below come "
                                + "from the '" + name + "' engine, which describes the audio and is not speech "
                                + "recognition. For real transcripts: sudo apt-get install pocketsphinx pocketsphinx-en-us"));
                exit = runJob(stack, chosen, work, recordings, shutdown, stdout, err);
            }
        } finally {
            Folders.deleteQuietly(work);
            appLogger.setLevel(previousLevel);
            shutdown.closed(exit);
        }
        return exit;
    }

    /**
     * The session options for {@code chosen}, checked before anything starts: the beta interface needs a model, and a
     * {@code --realtime-url} that names one ({@code ?model=M}) has chosen it when {@code --model} is absent.
     *
     * @throws IllegalArgumentException what the provider would refuse, in words
     */
    SessionConfig checkSessionOptions(Dialect chosen) {
        if (chosen == Dialect.OPENAI_BETA && session.model == null && realtimeUrl != null) {
            session.model = RealtimeEndpoint.modelNamedBy(realtimeUrl).orElse(null);
        }
        return session.template(chosen);
    }

    private int runJob(LocalStack stack, Dialect chosen, Path work, List<Path> recordings, ShutdownLatch shutdown,
                       PrintWriter stdout, PrintWriter err) throws InterruptedException, IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(LOCAL_KEY_ENV, "local-demo-key");
        PipelineConfig config = config(stack, chosen, work, env);
        AudioIngestor.Settings settings = IngestCommand.settings(config, session, layout);
        StreamscribePipeline pipeline = StreamscribePipeline.start(config, env);
        boolean complete = false;
        try {
            stdout.println("  pipeline " + config.applicationId() + " started: " + chosen.id() + " at "
                    + config.realtime().url() + ", up to " + maxConcurrent + " sessions at once");
            stdout.println();
            Topics topics = pipeline.topics();
            IngestJob.Report report;
            try (Producer<byte[], byte[]> producer = IngestCommand.producer(config)) {
                ProgressDisplay display = ProgressDisplay.forStderr(err);
                report = new IngestJob(new AudioIngestor(SessionPublisher.over(producer, topics,
                        config.realtime().dialect(), Clock.systemUTC()), settings))
                        .run(recordings, new IngestCommand.IngestProgress(display, new PrintWriter(
                                OutputStream.nullOutputStream()), false));
                display.done();
            }
            stdout.printf(Locale.ROOT, "ingested %d recording(s), %s of audio%s%n", report.ingested().size(),
                    ProgressDisplay.duration(Duration.ofMillis(report.audioMs())),
                    report.failures().isEmpty() ? "" : "; " + report.failures().size() + " could not be read:");
            report.failures().forEach(f -> stdout.println("  " + f.message()));
            report.describeIgnored().ifPresent(ignored -> stdout.println(ignored));
            stdout.flush();
            Map<String, AudioIngestor.Ingested> bySession = new LinkedHashMap<>();
            report.ingested().forEach(i -> bySession.putIfAbsent(i.sessionId(), i));
            Map<String, Object> clients = PipelineTopics.clientProperties(config);
            complete = follow(pipeline, topics, clients, bySession, shutdown, err);
            ResultCollector results = ResultsSnapshot.results(clients, topics);
            boolean allCompleted = report(results, bySession, stdout) && report.ok() && complete
                    && !report.ingested().isEmpty();
            stdout.flush();
            return allCompleted ? 0 : 1;
        } finally {
            stdout.println("stopping the pipeline, the realtime server, the registry and the broker");
            stdout.flush();
            pipeline.stop(complete ? Duration.ofSeconds(10) : Duration.ZERO);
        }
    }

    private PipelineConfig config(LocalStack stack, Dialect chosen, Path work, Map<String, String> env) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("application.id", "streamscribe-demo");
        settings.put("bootstrap.servers", stack.bootstrapServers());
        settings.put("schema.registry.url", stack.registryUrl());
        settings.put("realtime.dialect", chosen.id());
        settings.put("realtime.url", (realtimeUrl != null ? realtimeUrl : stack.realtimeUrl(chosen).orElseThrow()).toString());
        settings.put("realtime.api-key-env", realtimeUrl == null ? LOCAL_KEY_ENV : apiKeyEnv == null ? "" : apiKeyEnv);
        settings.put("realtime.max-concurrent-sessions", Integer.toString(maxConcurrent));
        settings.put("topic.partitions", "3");
        settings.put("state.dir", work.resolve("state").toString());
        settings.put("operations.port", "-1");
        // the demo owns where things run; other STREAMSCRIBE_* overrides (timeouts, prefixes...) still apply
        Map<String, String> overrides = new HashMap<>(env);
        settings.keySet().forEach(key -> overrides.remove(ConfigLoader.envNameOf(key)));
        return ConfigLoader.fromMap(settings, overrides);
    }

    /** Follows session-results until every ingested session has one, showing progress; false on timeout or Ctrl-C. */
    private boolean follow(StreamscribePipeline pipeline, Topics topics, Map<String, Object> clients,
                           Map<String, AudioIngestor.Ingested> sessions, ShutdownLatch shutdown, PrintWriter err)
            throws InterruptedException {
        if (sessions.isEmpty()) {
            return true;
        }
        ProgressDisplay display = ProgressDisplay.forStderr(err);
        Map<String, SessionResult> finished = new HashMap<>();
        long started = System.nanoTime();
        long deadline = started + Duration.ofMinutes(timeoutMinutes).toNanos();
        try (TopicWatcher<SessionResult> results = new TopicWatcher<>(clients, topics.sessionResults().name(),
                topics.sessionResults().valueSerde().deserializer())) {
            while (finished.size() < sessions.size()) {
                results.poll(Duration.ofMillis(250));
                results.seen().forEach((key, values) -> {
                    AudioIngestor.Ingested ingested = sessions.get(key);
                    values.stream().filter(r -> ingested != null && ingested.runToken().equals(r.getRunToken()))
                            .reduce((first, second) -> second).ifPresent(result -> finished.put(key, result));
                });
                long failed = finished.values().stream().filter(r -> r.getStatus() != SessionStatus.COMPLETED).count();
                display.update(String.format(Locale.ROOT, "transcribe %s %d/%d sessions finished%s, %d at the provider, %s",
                        ProgressDisplay.bar((double) finished.size() / sessions.size(), 24), finished.size(),
                        sessions.size(), failed == 0 ? "" : " (" + failed + " not completed)", pipeline.inFlight(),
                        ProgressDisplay.duration(Duration.ofNanos(System.nanoTime() - started))), false);
                if (shutdown.awaitStop(Duration.ZERO)) {
                    display.println("interrupted: stopping");
                    return false;
                }
                if (System.nanoTime() > deadline) {
                    display.println("timed out after " + timeoutMinutes + " min with " + (sessions.size() - finished.size())
                            + " session(s) unfinished");
                    return false;
                }
            }
            display.update(String.format(Locale.ROOT, "transcribe %s %d/%d sessions finished in %s",
                    ProgressDisplay.bar(1, 24), finished.size(), sessions.size(),
                    ProgressDisplay.duration(Duration.ofNanos(System.nanoTime() - started))), true);
            display.done();
        }
        return true;
    }

    /** Prints every recording's transcript next to its reference; writes txt and jsonl files. */
    private boolean report(ResultCollector results, Map<String, AudioIngestor.Ingested> sessions, PrintWriter stdout)
            throws IOException {
        TranscriptFiles files = new TranscriptFiles(out, List.of(TranscriptFormat.TXT, TranscriptFormat.JSONL));
        boolean allCompleted = true;
        int referenceWords = 0;
        int wordErrors = 0;
        stdout.println();
        for (AudioIngestor.Ingested ingested : sessions.values().stream()
                .sorted(Comparator.comparing(i -> i.file().toString())).toList()) {
            Optional<SessionTranscript> transcript = results.transcript(ingested.sessionId())
                    .filter(t -> t.result().getRunToken().equals(ingested.runToken()));
            String name = ingested.file().getFileName().toString();
            if (transcript.isEmpty()) {
                stdout.println(name + "  NOT FINISHED");
                allCompleted = false;
                continue;
            }
            SessionResult result = transcript.get().result();
            allCompleted &= result.getStatus() == SessionStatus.COMPLETED;
            stdout.printf(Locale.ROOT, "%s  %s%s  %.1f s of audio, %d turn(s), attempt %d%n", name, result.getStatus(),
                    result.getReason() == null ? "" : " (" + result.getReason() + ": " + result.getMessage() + ")",
                    result.getAudioMs() / 1000.0, result.getTurnsTotal(), result.getAttempt());
            String text = transcript.get().text();
            stdout.println("  transcript: " + (text.isEmpty() ? "(empty)" : text));
            Optional<String> reference = reference(ingested.file());
            if (reference.isPresent()) {
                List<String> expected = WordErrorRate.words(reference.get());
                int errors = WordErrorRate.wordErrors(expected, WordErrorRate.words(text));
                referenceWords += expected.size();
                wordErrors += errors;
                stdout.println("  reference:  " + reference.get().strip());
                stdout.printf(Locale.ROOT, "  word error rate %.1f%% (%d of %d words)%n",
                        expected.isEmpty() ? 0.0 : 100.0 * errors / expected.size(), errors, expected.size());
            }
            List<Path> written = files.write(transcript.get());
            stdout.println("  written: " + String.join(", ", written.stream().map(Path::toString).toList()));
        }
        if (referenceWords > 0) {
            stdout.printf(Locale.ROOT, "%nword error rate over all references: %.1f%% (%d errors in %d words)%n",
                    100.0 * wordErrors / referenceWords, wordErrors, referenceWords);
        }
        stdout.println("transcripts are in " + out.toAbsolutePath());
        return allCompleted;
    }

    private static Optional<String> reference(Path audio) throws IOException {
        String name = audio.getFileName().toString();
        int dot = name.lastIndexOf('.');
        Path text = audio.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".txt");
        return Files.isRegularFile(text) ? Optional.of(Files.readString(text)) : Optional.empty();
    }

    /** samples/ in the working directory, or beside the folder holding the jar (the project root). */
    static Path bundledSamples() {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("samples"));
        try {
            Path jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Optional.ofNullable(jar.getParent()).map(Path::getParent).ifPresent(root -> candidates.add(root.resolve("samples")));
        } catch (URISyntaxException | RuntimeException e) {
            // no location: the working directory is the only candidate
        }
        return candidates.stream().filter(Files::isDirectory).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "no bundled samples/ folder found (looked in " + candidates + "); name the recordings: streamscribe demo DIR"));
    }
}
