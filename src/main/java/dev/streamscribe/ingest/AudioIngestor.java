package dev.streamscribe.ingest;

import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.audio.AudioFileDecoder.RawFormat;
import dev.streamscribe.audio.AudioFileDecoder.UnreadableAudioException;
import dev.streamscribe.audio.AudioFileDecoder;
import dev.streamscribe.audio.FfmpegDecoder;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.StartPolicy;
import dev.streamscribe.client.PublishFailedException;
import dev.streamscribe.client.PublishedSession;
import dev.streamscribe.client.SessionPublisher;
import dev.streamscribe.client.SessionSpec;
import dev.streamscribe.client.SessionStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Turns one audio file into one session on the input topics: decodes it (WAV of any PCM layout, headerless PCM of a
 * stated layout, or anything else through ffmpeg: MP3, AAC, FLAC, Opus, video containers...) to mono pcm16 at the
 * encoding's rate, then publishes it through the producer API ({@link SessionPublisher}), which cuts turns, encodes,
 * lays out chunks and publishes them, then the session's config. The session id is the file's content hash
 * ({@link SessionIdentity}). The file is decoded completely into a temporary spool before anything is published, so
 * a file that turns out to be broken half-way publishes nothing (instead of leaving a session that can never
 * complete); memory stays constant whatever the length.
 *
 * <p>Threading: one file at a time per instance; the producer may be shared.
 */
public final class AudioIngestor {
    /** Extensions read as headerless PCM. */
    private static final List<String> RAW_EXTENSIONS = List.of(".pcm", ".raw");
    /** Extensions read as WAV by the JDK; every other file is decoded by ffmpeg. */
    private static final List<String> WAV_EXTENSIONS = List.of(".wav", ".wave");

    /**
     * @param encoding   what the session is sent as
     * @param rawFormat  the layout of headerless {@code .pcm}/{@code .raw} files
     * @param turns      how turns are cut
     * @param chunkBytes largest chunk (at most 256 KiB, docs/architecture.md section 3)
     * @param template   the session config every file gets (session id, run token, audio format, metadata set here)
     * @param metadata   metadata every session carries, besides {@code source} (the file name)
     * @param ffmpeg     the ffmpeg executable (ffmpeg.path) for files that are neither WAV nor raw PCM
     * @param stream     the audio stream ffmpeg decodes from files that hold several (0 = the first)
     */
    public record Settings(AudioEncoding encoding, RawFormat rawFormat, TurnPolicy turns, int chunkBytes,
                           SessionConfig template, Map<String, String> metadata, String ffmpeg, int stream,
                           Optional<Double> liveSpeed) {
        /** The largest --speed: faster than this, pacing is no longer what is being shown. */
        public static final double MAX_SPEED = 1_000;

        public Settings {
            if (chunkBytes < 1_024 || chunkBytes > AudioEncoding.MAX_CHUNK_BYTES) {
                throw new IllegalArgumentException("--chunk-kib must be between 1 and 256, not " + chunkBytes / 1024.0);
            }
            if (stream < 0) {
                throw new IllegalArgumentException("--stream must be 0 or more, not " + stream);
            }
            liveSpeed.ifPresent(speed -> {
                if (!(speed > 0 && speed <= MAX_SPEED)) {
                    throw new IllegalArgumentException("--speed must be above 0 and at most " + (int) MAX_SPEED
                            + " (times real time), not " + speed);
                }
            });
            metadata = Map.copyOf(metadata);
        }

        /** Files published as batch sessions (start AT_END), as fast as Kafka takes them. */
        public Settings(AudioEncoding encoding, RawFormat rawFormat, TurnPolicy turns, int chunkBytes,
                        SessionConfig template, Map<String, String> metadata, String ffmpeg, int stream) {
            this(encoding, rawFormat, turns, chunkBytes, template, metadata, ffmpeg, stream, Optional.empty());
        }

        /**
         * Files published as live sessions (start AT_FIRST_TURN): config first, then turn by turn, paced at
         * {@code speed} times real time, as a call platform would publish a call.
         */
        public Settings live(double speed) {
            return new Settings(encoding, rawFormat, turns, chunkBytes, template, metadata, ffmpeg, stream,
                    Optional.of(speed));
        }

        /**
         * What the session id hashes besides the file's bytes. The stream is part of it for ffmpeg files, or two
         * streams of one file would be one session; WAV and raw layouts are unchanged, so their ids stay stable.
         */
        String layout(Decoding decoding) {
            return "encoding=" + encoding + ";turns=" + turns.describe() + ";chunk=" + chunkBytes
                    + switch (decoding) {
                        case RAW -> ";raw=" + rawFormat;
                        case WAV -> "";
                        case FFMPEG -> ";ffmpeg-stream=" + stream;
                    };
        }
    }

    /** How a file is decoded, by its name. */
    public enum Decoding { WAV, RAW, FFMPEG }

    /** Follows publication: audio bytes acknowledged by Kafka so far, of the file's total. Called on producer threads. */
    public interface PublishProgress {
        void sent(long audioBytes, long ofAudioBytes);
    }

    /** One file as published. */
    public record Ingested(Path file, String sessionId, String runToken, long audioMs, int turns, long chunks,
                           long audioBytes) {
    }

    /**
     * One file as it would be published, without publishing it: its session id and its turns' lengths (each turn is
     * one commit at the provider).
     */
    public record Planned(Path file, String sessionId, List<Long> turnMs) {
        public Planned {
            turnMs = List.copyOf(turnMs);
        }

        public long audioMs() {
            return turnMs.stream().mapToLong(Long::longValue).sum();
        }
    }

    private final SessionPublisher publisher;
    private final Settings settings;

    /** @param publisher publishes each file as a session (the producer API; it may be shared) */
    public AudioIngestor(SessionPublisher publisher, Settings settings) {
        this.publisher = publisher;
        this.settings = settings;
    }

    /** How {@code file} is decoded: .pcm/.raw as raw PCM, .wav/.wave by the JDK, everything else by ffmpeg. */
    public static Decoding decodingOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (RAW_EXTENSIONS.stream().anyMatch(name::endsWith)) {
            return Decoding.RAW;
        }
        return WAV_EXTENSIONS.stream().anyMatch(name::endsWith) ? Decoding.WAV : Decoding.FFMPEG;
    }

    /**
     * Publishes {@code file} as one session and waits until every record is acknowledged.
     *
     * @param sent told how much of the file's audio Kafka has acknowledged
     * @throws UnreadableAudioException the file is not audio this can read, or holds no samples; nothing published
     */
    public Ingested ingest(Path file, PublishProgress sent) throws IOException {
        Decoding decoding = decodingOf(file);
        String sessionId = SessionIdentity.sessionId(file, settings.layout(decoding));
        Path spool = Files.createTempFile("streamscribe-ingest-", ".spool");
        try {
            decodeInto(settings, file, decoding, spool);
            long samples = Files.size(spool) / 2;
            if (samples == 0) {
                throw new UnreadableAudioException(file + " holds no audio samples", null);
            }
            long total = samples * settings.encoding().bytesPerSample();
            SessionSpec spec = SessionSpec.builder(sessionId).config(configFor(file))
                    .encoding(settings.encoding()).turns(settings.turns()).chunkBytes(settings.chunkBytes())
                    .start(settings.liveSpeed().isPresent() ? StartPolicy.AT_FIRST_TURN : StartPolicy.AT_END).build();
            PublishedSession published;
            try (SessionStream session = publisher.open(spec, acknowledged -> sent.sent(acknowledged, total))) {
                appendSpool(spool, session);
                published = session.end();
            } catch (PublishFailedException e) {
                throw new IOException(e.getMessage(), e);
            }
            return new Ingested(file, sessionId, published.runToken(), published.audioMs(), published.turns(),
                    published.chunks(), published.audioBytes());
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    /**
     * Decodes {@code file} and cuts its turns exactly as {@link #ingest} would, publishing nothing (for estimates).
     *
     * @throws UnreadableAudioException the file is not audio this can read, or holds no samples
     */
    public static Planned plan(Settings settings, Path file) throws IOException {
        Decoding decoding = decodingOf(file);
        String sessionId = SessionIdentity.sessionId(file, settings.layout(decoding));
        Path spool = Files.createTempFile("streamscribe-estimate-", ".spool");
        try {
            decodeInto(settings, file, decoding, spool);
            if (Files.size(spool) < 2) {
                throw new UnreadableAudioException(file + " holds no audio samples", null);
            }
            Map<Integer, Long> bytesPerTurn = new java.util.TreeMap<>();
            AudioChunker chunker = new AudioChunker(settings.encoding(), settings.turns(), settings.chunkBytes(),
                    chunk -> bytesPerTurn.merge(chunk.turnIndex(), (long) chunk.audio().length, Long::sum));
            RawFormat decoded = new RawFormat(settings.encoding().sampleRate(), 1, 16, false, false);
            byte[] block = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(spool)) {
                for (int read; (read = in.readNBytes(block, 0, block.length)) > 0; ) {
                    chunker.append(block, 0, read, decoded);
                }
            }
            chunker.finish();
            return new Planned(file, sessionId, bytesPerTurn.values().stream()
                    .map(bytes -> settings.encoding().millisOf(bytes)).toList());
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    /**
     * Decodes the whole file into {@code spool} as mono pcm16 at the encoding's rate before anything is published:
     * a file that turns out to be broken half-way publishes nothing.
     */
    private static void decodeInto(Settings settings, Path file, Decoding decoding, Path spool) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(spool), 1 << 16)) {
            Consumer<byte[]> sink = pcm16 -> {
                try {
                    out.write(pcm16);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            int rate = settings.encoding().sampleRate();
            switch (decoding) {
                case RAW -> AudioFileDecoder.raw(file, settings.rawFormat(), rate, sink);
                case WAV -> AudioFileDecoder.wav(file, rate, sink);
                case FFMPEG -> new FfmpegDecoder(settings.ffmpeg()).decode(file, rate, settings.stream(), sink);
            }
        } catch (UncheckedIOException e) {
            throw new IOException("cannot write the spool file " + spool + ": " + e.getCause().getMessage(), e);
        }
    }

    /**
     * Hands the decoded audio to the session in blocks; the session cuts turns and chunks as ingest always has. Live,
     * blocks are 100 ms of audio, each appended when a source in real time (times the speed) would have it.
     */
    private void appendSpool(Path spool, SessionStream session) throws IOException {
        RawFormat decoded = new RawFormat(settings.encoding().sampleRate(), 1, 16, false, false);
        int bytesPerMs = decoded.sampleRate() / 1000 * 2;
        byte[] block = new byte[settings.liveSpeed().isPresent() ? 100 * bytesPerMs : 1 << 16];
        long started = System.nanoTime();
        long appendedBytes = 0;
        try (InputStream in = Files.newInputStream(spool)) {
            for (int read; (read = in.readNBytes(block, 0, block.length)) > 0; ) {
                if (settings.liveSpeed().isPresent()) {
                    paceTo(started, appendedBytes / bytesPerMs, settings.liveSpeed().get());
                }
                session.append(block, 0, read, decoded);
                appendedBytes += read;
            }
        }
    }

    /** Waits until {@code audioMs} of audio would have arrived from a live source at {@code speed}. */
    private static void paceTo(long startedNanos, long audioMs, double speed) throws IOException {
        long dueNanos = startedNanos + (long) (audioMs * 1_000_000 / speed);
        long wait = dueNanos - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(Duration.ofNanos(wait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while publishing a live session", e);
            }
        }
    }

    private SessionConfig configFor(Path file) {
        Map<String, String> metadata = new HashMap<>(settings.metadata());
        metadata.put("source", file.getFileName().toString());
        return SessionConfig.newBuilder(settings.template()).setMetadata(metadata).build();
    }
}
