package dev.streamscribe.cli;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.AudioFormat;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.StartPolicy;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.results.TopicReader;
import dev.streamscribe.testing.Cli;
import dev.streamscribe.testing.TestWavs.Tone;
import dev.streamscribe.testing.TestWavs;
import dev.streamscribe.topology.PipelineTopics;
import dev.streamscribe.topology.Topics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code streamscribe ingest} against the real broker and registry: WAV variants come out of the audio topic as 24 kHz
 * mono pcm16 (checked numerically), G.711 as 8 kHz, and bad files are named with their reason while the rest run.
 */
class IngestCommandIT {
    private static final String NAME = "ingest-it";
    @TempDir
    static Path dir;
    private static List<String> flags;
    private static Topics topics;
    private static Map<String, Object> clients;

    @BeforeAll
    static void setUp() {
        flags = Cli.pipelineFlags(NAME, dir.resolve("state"), "ws://127.0.0.1:9/v1/realtime");
        PipelineConfig config = Cli.pipelineConfig(flags);
        topics = PipelineTopics.connect(config, Map.of());
        clients = PipelineTopics.clientProperties(config);
    }

    /** file name -> session id, from ingest's stdout lines. */
    private static Map<String, String> sessionsByFile(String stdout) {
        Map<String, String> sessions = new HashMap<>();
        for (String line : stdout.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 6 && parts[0].startsWith("s-")) {
                sessions.put(Path.of(parts[parts.length - 1]).getFileName().toString(), parts[0]);
            }
        }
        return sessions;
    }

    /** A session's audio as published, in seq order, with its config. */
    private static byte[] audioOf(String sessionId) {
        List<AudioChunk> chunks = new ArrayList<>();
        try (TopicReader<AudioChunk> reader = new TopicReader<>(clients, topics.audioChunks().name(),
                topics.audioChunks().valueSerde().deserializer())) {
            reader.readToEnd((key, chunk) -> {
                if (sessionId.equals(key)) {
                    chunks.add(chunk);
                }
            });
        }
        chunks.sort(Comparator.comparingLong(AudioChunk::getSeq));
        assertTrue(chunks.get(chunks.size() - 1).getEndOfSession(), "the last chunk ends the session");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long expectedSeq = 0;
        for (AudioChunk chunk : chunks) {
            if (chunk.getSeq() < expectedSeq) {
                continue; // the same file ingested twice: duplicates are the pipeline's to drop
            }
            assertEquals(expectedSeq++, chunk.getSeq(), "seqs are contiguous");
            assertTrue(chunk.getAudio().remaining() <= 256 * 1024, "chunks hold at most 256 KiB");
            byte[] bytes = new byte[chunk.getAudio().remaining()];
            chunk.getAudio().get(bytes);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    private static SessionConfig configOf(String sessionId) {
        SessionConfig[] found = new SessionConfig[1];
        try (TopicReader<SessionConfig> reader = new TopicReader<>(clients, topics.sessionConfigs().name(),
                topics.sessionConfigs().valueSerde().deserializer())) {
            reader.readToEnd((key, config) -> {
                if (sessionId.equals(key)) {
                    found[0] = config;
                }
            });
        }
        return found[0];
    }

    @Test
    void shouldPublishEveryWavVariantAs24KilohertzMonoKeepingTheToneAndRemovingOutOfBandTones() throws Exception {
        Path variants = Files.createDirectories(dir.resolve("variants"));
        // rate, bits, channels, float
        Object[][] layouts = {{8_000f, 8, 1, false}, {16_000f, 16, 2, false}, {22_050f, 16, 1, false},
                {44_100f, 16, 2, false}, {48_000f, 24, 1, false}, {48_000f, 32, 2, true}, {96_000f, 32, 1, false}};
        for (Object[] l : layouts) {
            float rate = (float) l[0];
            boolean outOfBand = rate >= 32_000;
            Tone[] tones = outOfBand ? new Tone[]{new Tone(1_000, 0.5), new Tone(15_000, 0.25)} : new Tone[]{new Tone(1_000, 0.5)};
            TestWavs.write(variants.resolve((int) rate + "-" + l[1] + "bit-" + l[2] + "ch" + ((boolean) l[3] ? "-float" : "") + ".wav"),
                    rate, (int) l[1], (int) l[2], (boolean) l[3], 2.0, tones);
        }
        Cli.Result result = Cli.run(Cli.args("ingest", flags, "--silence-ms", "0", "--max-turn-seconds", "0",
                "--chunk-kib", "64", variants.toString()));
        assertEquals(0, result.exitCode(), result.toString());
        Map<String, String> sessions = sessionsByFile(result.out());
        assertEquals(layouts.length, sessions.size(), result.toString());
        for (var entry : sessions.entrySet()) {
            double[] pcm = TestWavs.samples(audioOf(entry.getValue()));
            String file = entry.getKey();
            assertEquals(48_000, pcm.length, 24, file + ": two seconds at 24 kHz");
            // 2,400 samples (100 ms) trimmed at each end: the filter's edges are not the signal
            assertEquals(0.5, TestWavs.amplitude(pcm, 2_400, 45_600, 1_000, 24_000), 0.01, file + ": the 1 kHz tone keeps its level");
            assertTrue(TestWavs.amplitude(pcm, 2_400, 45_600, 1_100, 24_000) < 0.005, file + ": and its frequency");
            if (!file.startsWith("8000") && !file.startsWith("16000") && !file.startsWith("22050")) {
                // 15 kHz is above the new Nyquist frequency: without a filter it would fold back to 9 kHz
                double alias = TestWavs.amplitude(pcm, 2_400, 45_600, 9_000, 24_000);
                assertTrue(20 * Math.log10(alias / 0.25) <= -60, file + ": out-of-band tone " + 20 * Math.log10(alias / 0.25) + " dB");
            }
            SessionConfig config = configOf(entry.getValue());
            assertEquals(AudioFormat.PCM16_24KHZ, config.getAudioFormat());
            assertEquals(file, config.getMetadata().get("source"));
        }
    }

    @Test
    void shouldPublishG711AtEightKilohertzWhenAsked() throws Exception {
        Path wav = TestWavs.write(dir.resolve("call.wav"), 16_000f, 16, 1, false, 2.0, new Tone(1_000, 0.5));
        Cli.Result result = Cli.run(Cli.args("ingest", flags, "--encoding", "G711_ULAW", wav.toString()));
        assertEquals(0, result.exitCode(), result.toString());
        String session = sessionsByFile(result.out()).get("call.wav");
        byte[] ulaw = audioOf(session);
        assertEquals(16_000, ulaw.length, 8, "two seconds at 8 kHz, one byte per sample");
        var ulawFormat = new javax.sound.sampled.AudioFormat(javax.sound.sampled.AudioFormat.Encoding.ULAW, 8_000, 8, 1, 1, 8_000, false);
        var pcmFormat = new javax.sound.sampled.AudioFormat(8_000, 16, 1, true, false);
        byte[] pcm;
        try (AudioInputStream decoded = AudioSystem.getAudioInputStream(pcmFormat,
                new AudioInputStream(new ByteArrayInputStream(ulaw), ulawFormat, ulaw.length))) {
            pcm = decoded.readAllBytes();
        }
        assertEquals(0.5, TestWavs.amplitude(TestWavs.samples(pcm), 800, 15_200, 1_000, 8_000), 0.02);
        assertEquals(AudioFormat.G711_ULAW, configOf(session).getAudioFormat());
    }

    @Test
    void shouldNameEveryBadFileWithItsReasonAndStillPublishTheGoodOnes() throws Exception {
        Path mixed = Files.createDirectories(dir.resolve("mixed"));
        TestWavs.write(mixed.resolve("good.wav"), 24_000f, 16, 1, false, 1.0, new Tone(440, 0.5));
        Files.createFile(mixed.resolve("empty.wav"));
        Files.writeString(mixed.resolve("notes.wav"), "these are meeting notes, not audio\n".repeat(20));
        byte[] whole = Files.readAllBytes(TestWavs.write(dir.resolve("whole.wav"), 16_000f, 16, 1, false, 1.0, new Tone(440, 0.5)));
        Files.write(mixed.resolve("truncated.wav"), Arrays.copyOf(whole, 44 + 16_000));
        byte[] header = whole.clone();
        header[8] = 'A'; // RIFF....AVE : a RIFF file, but not WAVE
        Files.write(mixed.resolve("wrong-header.wav"), header);
        Path noAudio = Files.createDirectories(dir.resolve("no-audio"));
        Files.writeString(noAudio.resolve("readme.md"), "nothing to hear");

        Cli.Result result = Cli.run(Cli.args("ingest", flags, mixed.toString(), noAudio.toString(),
                dir.resolve("missing.wav").toString()));

        assertEquals(1, result.exitCode(), result.toString());
        assertEquals(List.of("good.wav"), List.copyOf(sessionsByFile(result.out()).keySet()), result.toString());
        String err = result.err();
        assertTrue(err.contains("ingested 1 file(s)") && err.contains("6 failed:"), err);
        assertTrue(err.contains("empty.wav is empty"), err);
        assertTrue(err.contains("notes.wav is not a WAV file this converter can read"), err);
        assertTrue(err.contains("truncated.wav is truncated: its header declares 16000 frames (1.00 s) but it holds 8000 (0.50 s)"), err);
        assertTrue(err.contains("wrong-header.wav is not a WAV file this converter can read"), err);
        assertTrue(err.contains("no-audio: directory holds no audio files (looked for .wav, .wave, .pcm, .raw, .mp3"), err);
        assertTrue(err.contains("ignored 1 .md file (not audio by their names)"), "nothing skipped in silence: " + err);
        assertTrue(err.contains("missing.wav: no such file or directory"), err);
    }

    @Test
    void shouldNameTheSameRecordingTheSameSessionAndRunAndAChangedPromptANewRun() throws Exception {
        Path wav = TestWavs.write(dir.resolve("again.wav"), 24_000f, 16, 1, false, 1.0, new Tone(300, 0.5));
        Cli.Result first = Cli.run(Cli.args("ingest", flags, wav.toString()));
        Cli.Result second = Cli.run(Cli.args("ingest", flags, wav.toString()));
        Cli.Result prompted = Cli.run(Cli.args("ingest", flags, "--prompt", "Kafka", wav.toString()));
        String[] a = first.out().trim().split("\\s+");
        String[] b = second.out().trim().split("\\s+");
        String[] c = prompted.out().trim().split("\\s+");
        assertEquals(a[0], b[0], "same session id");
        assertEquals(a[1], b[1], "same run token");
        assertEquals(a[0], c[0], "a changed prompt is the same session");
        assertTrue(!a[1].equals(c[1]), "but a new run");
    }

    @Test
    void ingestLivePublishesTheConfigFirstAndTurnByTurnAtTheGivenSpeed() throws Exception {
        Path wav = TestWavs.write(dir.resolve("call.wav"), 24_000f, 16, 1, false, 3.0, new Tone(300, 0.5));
        long started = System.nanoTime();
        Cli.Result live = Cli.run(Cli.args("ingest", flags, "--live", "--speed", "6", "--silence-ms", "0",
                "--max-turn-seconds", "1", "--chunk-kib", "16", wav.toString()));
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(0, live.exitCode(), live.toString());
        String sessionId = live.out().trim().split("\\s+")[0];
        assertEquals(StartPolicy.AT_FIRST_TURN, configOf(sessionId).getStart());
        assertTrue(elapsedMs >= 450, "3 s of audio at 6x real time is paced over at least 0.5 s: " + elapsedMs + " ms");
        assertEquals(3 * 48_000, audioOf(sessionId).length, "every sample, once, in order");

        Cli.Result batch = Cli.run(Cli.args("ingest", flags, "--silence-ms", "0", "--max-turn-seconds", "1",
                "--chunk-kib", "16", wav.toString()));
        String[] batchLine = batch.out().trim().split("\\s+");
        assertEquals(sessionId, batchLine[0], "the same recording is the same session");
        assertTrue(!batchLine[1].equals(live.out().trim().split("\\s+")[1]), "live or not is another run");
    }

    @Test
    void speedWithoutLiveIsRefused() {
        Cli.Result result = Cli.run(Cli.args("ingest", flags, "--speed", "2", dir.toString()));
        assertEquals(2, result.exitCode(), result.toString());
        assertTrue(result.err().contains("--speed paces live sessions only: add --live"), result.err());
    }

    @Test
    void shouldRefuseOptionsTheProviderCannotTakeBeforePublishingAnything() {
        Cli.Result result = Cli.run(Cli.args("ingest", flags, "--respond", dir.toString()));
        assertEquals(2, result.exitCode(), result.toString());
        assertTrue(result.err().contains("invalid options: these session options cannot be sent to a openai-ga provider"),
                result.err());
    }
}
