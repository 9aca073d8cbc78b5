package dev.streamscribe.bench;

import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.audio.AudioFileDecoder;
import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.client.SessionPublisher;
import dev.streamscribe.ingest.AudioIngestor;
import dev.streamscribe.ingest.TurnPolicy;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.topology.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** What the phases publish and how they wait for it: sessions, audio files, results, and small statistics. */
final class BenchWorkload {
    static final int CHUNK_BYTES = AudioEncoding.MAX_CHUNK_BYTES;
    static final int BYTES_PER_SECOND = AudioEncoding.PCM16.bytesPerMillisecond() * 1000;
    static final String WARM_UP = "warm-up";
    /** Results are polled this often while a phase waits: short, so the moment one is readable is measured. */
    private static final Duration RESULT_POLL = Duration.ofMillis(20);

    private BenchWorkload() {
    }

    /**
     * What goes through a pipeline before a phase measures it: the first transactions of a fresh application
     * (producer fencing, changelog topics created moments before) take seconds on a single broker, and a fresh JVM
     * compiles its hot code as it first runs it: measured at 1,000 sessions in flight with one warm-up session, the
     * JIT compilers' threads used 14 of the pipeline's 29 CPU-s during the phase. Neither is the steady state the
     * phases measure; a pipeline that runs for months pays both once.
     *
     * @param sessions   sessions published at once (each a config and one chunk that ends it)
     * @param audioBytes audio per session
     */
    record WarmUp(int sessions, int audioBytes) {
        /** One short session: the transactions, not the JIT. */
        static final WarmUp ONE = new WarmUp(1, BYTES_PER_SECOND / 2);

        WarmUp {
            if (sessions < 1 || audioBytes < 1) {
                throw new IllegalArgumentException("a warm-up has at least one session with audio");
            }
        }
    }

    /** Whether {@code sessionId} is one of the warm-up's sessions (never counted by a phase). */
    static boolean isWarmUp(String sessionId) {
        return sessionId.startsWith(WARM_UP);
    }

    /** Runs {@code warmUp} through the pipeline and waits for every result. */
    static void warmUp(BenchPipeline pipeline, Producer<byte[], byte[]> producer, Duration serverDelay, WarmUp warmUp)
            throws TimeoutException {
        byte[] audio = new byte[warmUp.audioBytes()];
        new Random(5).nextBytes(audio);
        try (TopicWatcher<SessionResult> results = pipeline.results(); producer) {
            for (int i = 0; i < warmUp.sessions(); i++) {
                publishSession(producer, pipeline.topics(), WARM_UP + "-" + i, audio);
            }
            producer.flush();
            requireCompleted(awaitResults(results, BenchWorkload::isWarmUp, warmUp.sessions(),
                    Duration.ofSeconds(60 + warmUp.sessions() / 10).plus(serverDelay.multipliedBy(2))), "warm-up");
        }
    }

    /**
     * A config, then one chunk that ends the session (so the chunk's acknowledgement is "end_of_session published").
     *
     * @return the chunk's acknowledgement
     */
    static Future<RecordMetadata> publishSession(Producer<byte[], byte[]> producer, Topics topics, String sessionId,
                                                 byte[] audio) {
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

    /** Results of the sessions {@code counted} accepts, once {@code count} of them are readable. */
    static Map<String, SessionResult> awaitResults(TopicWatcher<SessionResult> results, Predicate<String> counted,
                                                   int count, Duration timeout) throws TimeoutException {
        Predicate<Map<String, List<SessionResult>>> enough =
                seen -> seen.keySet().stream().filter(counted).limit(count).count() >= count;
        Map<String, List<SessionResult>> seen = results.awaitUntil(enough, timeout, RESULT_POLL);
        Map<String, SessionResult> done = new HashMap<>();
        seen.forEach((key, values) -> {
            if (counted.test(key)) {
                done.put(key, values.getLast());
            }
        });
        if (done.size() < count) {
            throw new TimeoutException(done.size() + " of " + count + " results after " + timeout.toSeconds() + " s");
        }
        return done;
    }

    static void requireCompleted(Map<String, SessionResult> results, String phase) {
        List<String> bad = results.values().stream().filter(r -> r.getStatus() != SessionStatus.COMPLETED)
                .map(r -> r.getSessionId() + " " + r.getStatus() + " " + r.getReason()).toList();
        if (!bad.isEmpty()) {
            throw new IllegalStateException(phase + ": sessions did not complete: " + bad);
        }
    }

    /** Publishes bench sessions through the producer API, as ingest does (the bench's pipelines speak openai-ga). */
    static AudioIngestor ingestor(Producer<byte[], byte[]> producer, Topics topics) {
        return new AudioIngestor(SessionPublisher.over(producer, topics, Dialect.OPENAI_GA, Clock.systemUTC()),
                ingestSettings());
    }

    static AudioIngestor.Settings ingestSettings() {
        SessionConfig template = SessionConfig.newBuilder().setSessionId("template").setRunToken("template")
                .setTranscription(TranscriptionSettings.newBuilder().setModel("gpt-4o-transcribe").build()).build();
        return new AudioIngestor.Settings(AudioEncoding.PCM16, AudioFileDecoder.RawFormat.pcm16Mono24k(),
                new TurnPolicy(Duration.ofSeconds(120), Duration.ZERO, -40, Duration.ZERO), CHUNK_BYTES, template,
                Map.of("bench", "true"), "ffmpeg", 0);
    }

    /** {@code seconds} of random pcm16 (the deterministic engine transcribes any bytes). */
    static Path writePcm(Path file, int seconds, long seed) throws IOException {
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

    static String cpuUse(Map<String, Double> before, Map<String, Double> after) {
        StringBuilder use = new StringBuilder();
        after.forEach((process, seconds) -> use.append(use.isEmpty() ? "" : ", ").append(process)
                .append(String.format(Locale.ROOT, " %.1f", seconds - before.get(process))));
        return use.toString();
    }

    static double percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
