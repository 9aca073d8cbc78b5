package dev.streamscribe.ingest;

import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.audio.AudioFileDecoder.RawFormat;
import dev.streamscribe.audio.AudioFileDecoder.UnreadableAudioException;
import dev.streamscribe.audio.AudioFileDecoder;
import dev.streamscribe.audio.FfmpegDecoder;
import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.topology.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Turns one audio file into one session on the input topics: decodes it (WAV of any PCM layout, headerless PCM of a
 * stated layout, or anything else through ffmpeg: MP3, AAC, FLAC, Opus, video containers...) to mono pcm16 at the
 * encoding's rate, cuts turns ({@link TurnSplitter}), encodes, lays out
 * chunks ({@link ChunkSequencer}) and publishes them, then the session's config. The file is decoded completely into
 * a temporary spool before anything is published, so a file that turns out to be broken half-way publishes nothing
 * (instead of leaving a session that can never complete); memory stays constant whatever the length.
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
                           SessionConfig template, Map<String, String> metadata, String ffmpeg, int stream) {
        public Settings {
            if (chunkBytes < 1_024 || chunkBytes > AudioEncoding.MAX_CHUNK_BYTES) {
                throw new IllegalArgumentException("--chunk-kib must be between 1 and 256, not " + chunkBytes / 1024.0);
            }
            if (stream < 0) {
                throw new IllegalArgumentException("--stream must be 0 or more, not " + stream);
            }
            metadata = Map.copyOf(metadata);
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

    private final Producer<byte[], byte[]> producer;
    private final Topics topics;
    private final Settings settings;
    private final Clock clock;

    public AudioIngestor(Producer<byte[], byte[]> producer, Topics topics, Settings settings, Clock clock) {
        this.producer = producer;
        this.topics = topics;
        this.settings = settings;
        this.clock = clock;
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
            List<Placed> layout = new ArrayList<>();
            long audioBytes;
            int turns;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(spool), 1 << 16)) {
                ChunkSequencer sequencer = new ChunkSequencer(settings.chunkBytes(), settings.encoding().bytesPerSample(),
                        chunk -> {
                            try {
                                out.write(chunk.audio());
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                            layout.add(new Placed(chunk.seq(), chunk.turnIndex(), chunk.audio().length,
                                    chunk.endOfTurn(), chunk.endOfSession()));
                        });
                TurnSplitter splitter = new TurnSplitter(settings.encoding().sampleRate(), settings.turns(),
                        new TurnSplitter.Output() {
                            @Override
                            public void audio(byte[] pcm16) {
                                sequencer.append(settings.encoding().encode(pcm16));
                            }

                            @Override
                            public void endTurn() {
                                sequencer.endTurn();
                            }
                        });
                try {
                    int rate = settings.encoding().sampleRate();
                    switch (decoding) {
                        case RAW -> AudioFileDecoder.raw(file, settings.rawFormat(), rate, splitter::accept);
                        case WAV -> AudioFileDecoder.wav(file, rate, splitter::accept);
                        case FFMPEG -> new FfmpegDecoder(settings.ffmpeg()).decode(file, rate, settings.stream(),
                                splitter::accept);
                    }
                } catch (UncheckedIOException e) {
                    throw new IOException("cannot write the spool file " + spool + ": " + e.getCause().getMessage(), e);
                }
                splitter.finish();
                turns = sequencer.turns();
                if (sequencer.finish() == 0) {
                    throw new UnreadableAudioException(file + " holds no audio samples", null);
                }
            }
            audioBytes = Files.size(spool);
            SessionConfig config = configFor(file, sessionId);
            publish(sessionId, config, spool, layout, sent);
            long audioMs = audioBytes / settings.encoding().bytesPerSample() * 1000 / settings.encoding().sampleRate();
            return new Ingested(file, sessionId, config.getRunToken(), audioMs, turns, layout.size(), audioBytes);
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private SessionConfig configFor(Path file, String sessionId) {
        Map<String, String> metadata = new HashMap<>(settings.metadata());
        metadata.put("source", file.getFileName().toString());
        SessionConfig config = SessionConfig.newBuilder(settings.template()).setSessionId(sessionId).setRunToken("")
                .setAudioFormat(settings.encoding().wireFormat()).setMetadata(metadata)
                .setCreatedAtMs(clock.millis()).build();
        config.setRunToken(SessionIdentity.runToken(config));
        return config;
    }

    /** Chunks first, the config last: a session whose config is visible has all its audio on the way. */
    private void publish(String sessionId, SessionConfig config, Path spool, List<Placed> layout,
                         PublishProgress sent) throws IOException {
        long total = Files.size(spool);
        byte[] key = sessionId.getBytes(StandardCharsets.UTF_8);
        String audioTopic = topics.audioChunks().name();
        List<Future<?>> pending = new ArrayList<>();
        long[] acknowledged = {0};
        try (InputStream in = Files.newInputStream(spool); DataInputStream data = new DataInputStream(in)) {
            for (Placed meta : layout) {
                int length = meta.length();
                byte[] audio = new byte[length];
                data.readFully(audio);
                AudioChunk chunk = AudioChunk.newBuilder().setSessionId(sessionId).setSeq(meta.seq())
                        .setTurnIndex(meta.turnIndex()).setAudio(ByteBuffer.wrap(audio)).setEndOfTurn(meta.endOfTurn())
                        .setEndOfSession(meta.endOfSession()).setProducedAtMs(clock.millis()).build();
                byte[] value = topics.audioChunks().valueSerde().serializer().serialize(audioTopic, chunk);
                pending.add(producer.send(new ProducerRecord<>(audioTopic, key, value), (metadata, error) -> {
                    if (error == null) {
                        synchronized (acknowledged) {
                            acknowledged[0] += length;
                            sent.sent(acknowledged[0], total);
                        }
                    }
                }));
            }
        }
        awaitAll(pending, sessionId);
        String configTopic = topics.sessionConfigs().name();
        byte[] value = topics.sessionConfigs().valueSerde().serializer().serialize(configTopic, config);
        awaitAll(List.of(producer.send(new ProducerRecord<>(configTopic, key, value))), sessionId);
    }

    private static void awaitAll(List<Future<?>> pending, String sessionId) throws IOException {
        for (Future<?> future : pending) {
            try {
                future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while publishing session " + sessionId, e);
            } catch (ExecutionException e) {
                throw new IOException("Kafka refused a record of session " + sessionId + ": " + e.getCause().getMessage(),
                        e.getCause());
            }
        }
    }

    /** A chunk's place in the spool: its audio is read back from there when it is published. */
    private record Placed(long seq, int turnIndex, int length, boolean endOfTurn, boolean endOfSession) {
    }
}
