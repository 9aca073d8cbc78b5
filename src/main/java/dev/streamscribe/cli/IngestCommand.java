package dev.streamscribe.cli;

import dev.streamscribe.client.SessionPublisher;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.ingest.AudioIngestor;
import dev.streamscribe.ingest.IngestJob;
import dev.streamscribe.ingest.IngestProducer;
import dev.streamscribe.topology.PipelineTopics;
import dev.streamscribe.topology.Topics;
import org.apache.kafka.clients.producer.Producer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/** Publishes audio files as sessions. */
@Command(name = "ingest",
        header = "Publish audio files (WAV, raw PCM, and MP3, AAC, FLAC, Opus, video... through ffmpeg) as sessions.",
        description = {"Publish audio files as sessions: one session per file, its audio as chunks on the audio topic "
                + "and its config on the configs topic. A running pipeline ('run' or 'demo') then sends each session "
                + "to the realtime provider.",
                "The session id is a hash of the file's content and of the audio layout options, and the run token a "
                        + "hash of the session options, so ingesting the same files again with the same options "
                        + "publishes duplicates the pipeline drops, and costs nothing at the provider. Changing a "
                        + "session option (model, prompt, language...) makes a new run, which is sent again.",
                "WAV files of any PCM or float layout, rate and channel count are converted to 24 kHz mono pcm16 with "
                        + "an anti-aliasing resampler (or to 8 kHz G.711); .pcm/.raw files are read with the --pcm-* "
                        + "layout; every other file (MP3, AAC/M4A, FLAC, Ogg/Opus, WebM, MP4, MKV, MOV, WMA, ...) is "
                        + "decoded by ffmpeg (ffmpeg.path; --stream N picks one of several audio streams), multi-channel "
                        + "audio down-mixed. Directories are searched recursively for .wav .wave .pcm .raw .mp3 .m4a "
                        + ".aac .flac .ogg .oga .opus .webm .mp4 .mkv .mov .wma files; the summary counts the files it "
                        + "ignored, by extension.",
                "Prints one line per session (session id, run token, audio length, turns, file) on stdout and a "
                        + "summary of failures on stderr; with --json, one JSON object per line on stdout instead: "
                        + "{\"event\":\"ingested\",...} per session, {\"event\":\"failed\",...} per file that failed "
                        + "and a last {\"event\":\"summary\",...}. Exit code 0 when every file was published, 1 when "
                        + "any failed.",
                "Stopped with Ctrl-C or SIGTERM, ingest aborts the files it was publishing (the pipeline ends those "
                        + "sessions at once, EXPIRED with reason ABORTED); ingesting them again publishes them anew."},
        footer = {"", "Examples:",
                "  streamscribe ingest recordings/",
                "  streamscribe ingest --json recordings/ | jq -r 'select(.event==\"ingested\") | .session_id'",
                "  streamscribe ingest --language de --prompt 'Kafka, Avro' interview.wav",
                "  streamscribe ingest --encoding G711_ULAW --silence-ms 0 --max-turn-seconds 30 calls/",
                "  streamscribe ingest --pcm-rate 16000 --pcm-channels 2 capture.pcm",
                "  streamscribe ingest --live --speed 4 call.wav        # turn by turn, 4x real time",
                "  streamscribe ingest --estimate --transcription-model whisper-1 recordings/  # the cost; publishes nothing",
                "  STREAMSCRIBE_BOOTSTRAP_SERVERS=kafka:9092 streamscribe ingest --config prod.properties meetings/"})
final class IngestCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    PipelineOptions pipeline;

    @Mixin
    SessionOptions session;

    @Mixin
    AudioLayoutOptions layout;

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "Audio files, or directories holding them.")
    List<Path> inputs;

    @Option(names = "--live", description = "Publish each file as a live session (start AT_FIRST_TURN): its config "
            + "first, then turn by turn at --speed times real time, as a call platform would publish a call; a running "
            + "pipeline transcribes each turn as it ends. A new run of the same session (another run token).")
    boolean live;

    @Option(names = "--speed", defaultValue = "1", paramLabel = "X",
            description = "With --live: how many times faster than real time the audio is published (default: "
                    + "${DEFAULT-VALUE}).")
    double speed;

    @Option(names = "--json", description = "Print one JSON object per line on stdout (ingested, failed, summary) for "
            + "scripts, instead of the table.")
    boolean json;

    @Option(names = "--estimate", description = "Publish nothing: decode each file, cut its turns as ingest would, and "
            + "print its audio length and what transcribing it will cost (the price table, docs/operations.md section "
            + "7): exact for duration-billed models, a range for token-billed ones; then the total. Needs no Kafka.")
    boolean estimate;

    @Override
    public Integer call() {
        PipelineConfig config = pipeline.load();
        AudioIngestor.Settings settings = settings(config, session, layout);
        if (live) {
            settings = settings.live(speed);
        } else if (speed != 1) {
            throw new IllegalArgumentException("--speed paces live sessions only: add --live");
        }
        if (estimate) {
            return new IngestEstimate(config, settings, spec.commandLine().getOut(), spec.commandLine().getErr(), json)
                    .run(inputs);
        }
        Topics topics = PipelineTopics.connect(config, System.getenv());
        PipelineTopics.prepare(config, topics);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Producer<byte[], byte[]> producer = producer(config)) {
            SessionPublisher publisher = SessionPublisher.over(producer, topics, config.realtime().dialect(),
                    Clock.systemUTC());
            Thread abortOnStop = Thread.ofPlatform().name("ingest-stop").unstarted(() -> abortOpenSessions(publisher, err));
            Runtime.getRuntime().addShutdownHook(abortOnStop);
            try {
                IngestJob job = new IngestJob(new AudioIngestor(publisher, settings));
                ProgressDisplay progress = ProgressDisplay.forStderr(err);
                IngestJob.Report report = job.run(inputs, new IngestProgress(progress, out, json));
                progress.done();
                printSummary(report, config, err);
                if (json) {
                    JsonLines.print(out, summaryFields(report, config));
                }
                return report.ok() ? 0 : 1;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(abortOnStop);
                } catch (IllegalStateException stopping) {
                    // the JVM is already stopping: the hook runs
                }
            }
        }
    }

    /** How long a stopping ingest waits for its abort markers to be acknowledged before it exits anyway. */
    static final Duration ABORT_WAIT = Duration.ofSeconds(10);

    /**
     * On Ctrl-C or SIGTERM: the files being published are aborted (the pipeline ends them at once, EXPIRED with
     * reason ABORTED) instead of leaving chunks that would wait for the pipeline's idle timeout. Bounded: with Kafka
     * unreachable the process still exits after {@link #ABORT_WAIT}.
     *
     * @return the number of sessions that were being published
     */
    static int abortOpenSessions(SessionPublisher publisher, PrintWriter err) {
        int open = publisher.openSessions();
        if (open == 0) {
            return 0;
        }
        Thread aborting = Thread.ofPlatform().daemon().name("ingest-abort").start(publisher::close);
        try {
            boolean done = aborting.join(ABORT_WAIT);
            err.println("ingest stopped: " + open + " session(s) being published "
                    + (done ? "aborted (the pipeline ends them at once, EXPIRED/ABORTED)"
                    : "could not be aborted within " + ABORT_WAIT.toSeconds() + " s; they expire after the "
                    + "pipeline's session.idle-timeout-ms"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        err.flush();
        return open;
    }

    static AudioIngestor.Settings settings(PipelineConfig config, SessionOptions session, AudioLayoutOptions layout) {
        return new AudioIngestor.Settings(layout.encoding, layout.rawFormat(), layout.turnPolicy(), layout.chunkBytes(),
                session.template(config.realtime().dialect()), session.metadata, config.ffmpegPath(), layout.stream);
    }

    static Producer<byte[], byte[]> producer(PipelineConfig config) {
        return IngestProducer.create(PipelineTopics.clientProperties(config));
    }

    static void printSummary(IngestJob.Report report, PipelineConfig config, PrintWriter err) {
        err.printf(Locale.ROOT, "ingested %d file(s), %s of audio, into %s%s%n", report.ingested().size(),
                ProgressDisplay.duration(Duration.ofMillis(report.audioMs())), config.kafka().bootstrapServers(),
                report.failures().isEmpty() ? "" : "; " + report.failures().size() + " failed:");
        report.failures().forEach(f -> err.println("  " + f.message()));
        report.describeIgnored().ifPresent(err::println);
        err.flush();
    }

    static Map<String, Object> summaryFields(IngestJob.Report report, PipelineConfig config) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("event", "summary");
        fields.put("ingested", report.ingested().size());
        fields.put("failed", report.failures().size());
        fields.put("ignored", new java.util.TreeMap<>(report.ignored()));
        fields.put("audio_ms", report.audioMs());
        fields.put("bootstrap_servers", config.kafka().bootstrapServers());
        fields.put("audio_topic", config.topics().audioChunks());
        return fields;
    }

    static Map<String, Object> ingestedFields(AudioIngestor.Ingested ingested) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("event", "ingested");
        fields.put("session_id", ingested.sessionId());
        fields.put("run_token", ingested.runToken());
        fields.put("file", ingested.file().toString());
        fields.put("audio_ms", ingested.audioMs());
        fields.put("turns", ingested.turns());
        fields.put("chunks", ingested.chunks());
        fields.put("audio_bytes", ingested.audioBytes());
        return fields;
    }

    static Map<String, Object> failedFields(IngestJob.Failure failure) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("event", "failed");
        fields.put("file", failure.file().toString());
        fields.put("error", failure.message());
        return fields;
    }

    /**
     * Progress bar over files and bytes with an ETA; one stdout line per published session (a table row, or with
     * --json a JSON object).
     */
    static final class IngestProgress implements IngestJob.Listener {
        private final ProgressDisplay display;
        private final PrintWriter out;
        private final boolean json;
        // written on the job's thread, read by progress() on producer threads as well
        private volatile long started;
        private volatile long totalBytes;
        private volatile long doneBytes;
        private volatile int files;
        private volatile int done;

        IngestProgress(ProgressDisplay display, PrintWriter out, boolean json) {
            this.display = display;
            this.out = out;
            this.json = json;
        }

        @Override
        public void started(List<Path> all, long total) {
            started = System.nanoTime();
            files = all.size();
            totalBytes = total;
        }

        private final Map<Path, Long> inProgress = new ConcurrentHashMap<>();

        @Override
        public void progress(Path file, long fileBytesDone, long fileBytes) {
            if (fileBytes > 0) {
                inProgress.put(file, fileBytesDone);
            }
            long current = doneBytes + inProgress.values().stream().mapToLong(Long::longValue).sum();
            double fraction = totalBytes == 0 ? 1 : (double) current / totalBytes;
            long elapsed = System.nanoTime() - started;
            String eta = fraction <= 0.001 ? "?" : ProgressDisplay.duration(Duration.ofNanos((long) (elapsed / fraction - elapsed)));
            display.update(String.format(Locale.ROOT, "ingest %s %d/%d files, %s of %s, ETA %s",
                    ProgressDisplay.bar(fraction, 24), done, files, ProgressDisplay.bytes(current),
                    ProgressDisplay.bytes(totalBytes), eta), false);
        }

        @Override
        public void finished(AudioIngestor.Ingested ingested) {
            done++;
            inProgress.remove(ingested.file());
            doneBytes += sizeOf(ingested.file());
            if (json) {
                JsonLines.print(out, ingestedFields(ingested));
            } else {
                synchronized (out) {
                    out.printf(Locale.ROOT, "%s  %s  %8.1f s  %3d turn(s)  %s%n", ingested.sessionId(),
                            ingested.runToken(), ingested.audioMs() / 1000.0, ingested.turns(), ingested.file());
                    out.flush();
                }
            }
            progress(ingested.file(), 0, 0);
        }

        @Override
        public void completed(IngestJob.Report report) {
            long elapsed = System.nanoTime() - started;
            display.update(String.format(Locale.ROOT, "ingest %s %d/%d files, %s in %s", ProgressDisplay.bar(1, 24),
                    done, files, ProgressDisplay.bytes(totalBytes), ProgressDisplay.duration(Duration.ofNanos(elapsed))),
                    true);
        }

        @Override
        public void failed(IngestJob.Failure failure) {
            inProgress.remove(failure.file());
            display.println("failed: " + failure.message());
            if (json) {
                JsonLines.print(out, failedFields(failure));
            }
        }

        private static long sizeOf(Path file) {
            try {
                return Files.size(file);
            } catch (IOException e) {
                return 0;
            }
        }
    }
}
