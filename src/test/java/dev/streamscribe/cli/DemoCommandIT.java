package dev.streamscribe.cli;

import dev.streamscribe.realtime.server.PocketsphinxEngine;
import dev.streamscribe.testing.Cli;
import dev.streamscribe.testing.TestWavs.Tone;
import dev.streamscribe.testing.TestWavs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's first command, {@code streamscribe demo}, as a newcomer runs it: its own broker, registry and local
 * realtime server, the bundled samples, transcripts written and compared with the references.
 */
class DemoCommandIT {
    @TempDir
    Path dir;

    private static long count(Path dir, String extension) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(extension)).count();
        }
    }

    @Test
    void shouldTranscribeTheBundledSamplesAndWriteTxtAndJsonlForEach() throws Exception {
        Path out = dir.resolve("out");
        Cli.Result demo = assertTimeoutPreemptively(Duration.ofMinutes(5),
                () -> Cli.run("demo", "--out", out.toString()));
        assertEquals(0, demo.exitCode(), demo.toString());
        long samples;
        try (Stream<Path> files = Files.list(Path.of("samples"))) {
            samples = files.filter(f -> f.toString().endsWith(".wav")).count();
        }
        assertEquals(samples, count(out, ".txt"), demo.toString());
        assertEquals(samples, count(out, ".jsonl"), demo.toString());
        assertTrue(demo.out().contains("ingested " + samples + " recording(s)"), demo.out());
        assertEquals(samples, Pattern.compile("\\.wav  COMPLETED ").matcher(demo.out()).results().count(), demo.out());
        Matcher wer = Pattern.compile("word error rate over all references: ([0-9.]+)%").matcher(demo.out());
        assertTrue(wer.find(), demo.out());
        if (PocketsphinxEngine.locate().isPresent()) {
            // real recognition of clear synthetic speech: measured 9.4%; far above that means something broke
            assertTrue(Double.parseDouble(wer.group(1)) < 25, demo.out());
            String weather = Files.readString(out.resolve("01-slt-weather.txt"));
            assertTrue(weather.contains("weather today"), weather);
        } else {
            assertTrue(demo.out().contains("NOTICE: pocketsphinx is not installed"), demo.out());
        }
    }

    @Test
    void shouldRunTheUsersFolderReportBadFilesByNameAndExitNonZero() throws Exception {
        Path recordings = Files.createDirectories(dir.resolve("mine"));
        TestWavs.write(recordings.resolve("hum.wav"), 44_100f, 16, 2, false, 1.5, new Tone(220, 0.4));
        Files.createFile(recordings.resolve("empty.wav"));
        Files.writeString(recordings.resolve("notes.wav"), "not audio\n".repeat(50));
        Path out = dir.resolve("out");
        Cli.Result demo = assertTimeoutPreemptively(Duration.ofMinutes(5),
                () -> Cli.run("demo", "--engine", "deterministic", "--out", out.toString(), recordings.toString()));
        assertEquals(1, demo.exitCode(), demo.toString());
        assertTrue(demo.out().contains("ingested 1 recording(s), 1 s of audio; 2 could not be read:"), demo.out());
        assertTrue(demo.out().contains("empty.wav is empty"), demo.out());
        assertTrue(demo.out().contains("notes.wav is not a WAV file this converter can read"), demo.out());
        assertTrue(demo.out().contains("hum.wav  COMPLETED"), demo.out());
        assertTrue(demo.out().contains("NOTICE: pocketsphinx is not installed (or --engine deterministic)"), demo.out());
        assertEquals(List.of(out.resolve("hum.jsonl"), out.resolve("hum.txt")),
                Files.list(out).sorted().toList());
    }

    @Test
    void shouldRefuseAnApiKeyWithoutARealProvider() {
        Cli.Result demo = Cli.run("demo", "--api-key-env", "OPENAI_API_KEY");
        assertEquals(2, demo.exitCode(), demo.toString());
        assertTrue(demo.err().contains("--api-key-env needs --realtime-url"), demo.err());
    }
}
