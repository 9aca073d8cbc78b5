package dev.streamscribe.cli;

import dev.streamscribe.realtime.server.PocketsphinxEngine;
import dev.streamscribe.testing.Cli;
import dev.streamscribe.testing.TestMedia;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code demo DIR} on a folder of mixed formats, as people bring them: the bundled samples as MP3, AAC/M4A, FLAC,
 * Opus, WebM, MP4 with video and stereo 48 kHz FLAC, beside their WAV originals, plus a truncated MP3, a video
 * without audio and a text file named .mp3. Every good file is transcribed by pocketsphinx through the local
 * server within a stated word-error-rate bound of its WAV original; every bad one gets its message and the rest
 * still run (exit 1); the references (.txt) are counted as ignored, not skipped in silence.
 */
class MixedFormatsDemoIT {
    private static final Path SAMPLES = Path.of(System.getProperty("streamscribe.project.dir", ".")).resolve("samples");
    /** A compressed copy may recognise this many percentage points worse than its WAV original. */
    private static final double WER_BOUND_POINTS = 10;

    @Test
    void transcribesEveryFormatWithinTheBoundOfItsWavAndNamesEachBadFile(@TempDir Path dir) throws Exception {
        TestMedia.requireFfmpeg();
        boolean recognises = PocketsphinxEngine.locate().isPresent();
        if (System.getenv("CI") != null) {
            assertTrue(recognises, "CI must install pocketsphinx (.ci/run)");
        }
        assumeTrue(recognises, "pocketsphinx is not installed: apt-get install pocketsphinx pocketsphinx-en-us");
        Path folder = Files.createDirectories(dir.resolve("recordings"));
        Map<String, String[]> variants = new LinkedHashMap<>();
        variants.put("mp3.mp3", new String[]{"-c:a", "libmp3lame", "-b:a", "64k"});
        variants.put("m4a.m4a", new String[]{"-c:a", "aac", "-b:a", "64k"});
        variants.put("flac.flac", new String[]{});
        variants.put("opus.opus", new String[]{"-c:a", "libopus", "-b:a", "32k"});
        variants.put("webm.webm", new String[]{"-c:a", "libopus"});
        variants.put("stereo48k.flac", new String[]{"-ac", "2", "-ar", "48000"});
        List<String> samples = List.of("01-slt-weather", "02-rms-meeting");
        for (String sample : samples) {
            Path wav = SAMPLES.resolve(sample + ".wav");
            Path reference = SAMPLES.resolve(sample + ".txt");
            Files.copy(wav, folder.resolve(sample + ".wav"));
            Files.copy(reference, folder.resolve(sample + ".txt"));
            for (Map.Entry<String, String[]> variant : variants.entrySet()) {
                String name = sample + "-" + variant.getKey();
                TestMedia.encode(wav, folder.resolve(name), variant.getValue());
                Files.copy(reference, folder.resolve(name.substring(0, name.indexOf('.')) + ".txt"));
            }
            TestMedia.withVideo(wav, folder.resolve(sample + "-video.mp4"));
            Files.copy(reference, folder.resolve(sample + "-video.txt"));
        }
        Path mp3 = TestMedia.encode(SAMPLES.resolve("03-awb-order.wav"), dir.resolve("whole.mp3"), "-c:a", "libmp3lame");
        byte[] bytes = Files.readAllBytes(mp3);
        Files.write(folder.resolve("truncated.mp3"), Arrays.copyOf(bytes, bytes.length / 2));
        TestMedia.ffmpeg("-f", "lavfi", "-i", "color=c=black:s=64x48:d=2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                folder.resolve("silent-film.mp4").toString());
        Files.writeString(folder.resolve("notes.mp3"), "meeting notes, not audio\n".repeat(40));

        Path out = dir.resolve("out");
        Cli.Result demo = assertTimeoutPreemptively(Duration.ofMinutes(5),
                () -> Cli.run("demo", "--out", out.toString(), folder.toString()));
        assertEquals(1, demo.exitCode(), "three files are bad: " + demo);
        String text = demo.out();
        int good = samples.size() * (variants.size() + 2);
        assertTrue(text.contains("ingested " + good + " recording(s)"), text);
        assertTrue(text.contains("truncated.mp3 is truncated: its container declares"), text);
        assertTrue(text.contains("silent-film.mp4 has no audio stream"), text);
        assertTrue(text.contains("notes.mp3 is not audio ffmpeg can read: "), text);
        assertTrue(text.contains("ignored " + good + " .txt files (not audio by their names)"), text);

        Map<String, Double> wer = new LinkedHashMap<>();
        Matcher block = Pattern.compile("(?m)^(\\S+)  COMPLETED .*\\n(?:  .*\\n)*?  word error rate ([0-9.]+)%").matcher(text);
        while (block.find()) {
            wer.put(block.group(1), Double.parseDouble(block.group(2)));
        }
        assertEquals(good, wer.size(), "every good file COMPLETED with a word error rate: " + wer + "\n" + text);
        System.out.println("word error rate by file (MixedFormatsDemoIT): " + wer);
        for (String sample : samples) {
            double original = wer.get(sample + ".wav");
            wer.forEach((file, rate) -> {
                if (file.startsWith(sample + "-")) {
                    assertTrue(rate <= original + WER_BOUND_POINTS, file + ": " + rate + "% against " + original
                            + "% for the WAV (bound: +" + WER_BOUND_POINTS + " points)");
                }
            });
        }
    }
}
