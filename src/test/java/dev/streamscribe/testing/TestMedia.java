package dev.streamscribe.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Compressed audio and video made at test time with ffmpeg from the bundled WAV samples (nothing binary is
 * checked in). CI installs ffmpeg (.ci/run), so there a missing ffmpeg fails; elsewhere the test reports itself
 * skipped, saying how to install it.
 */
public final class TestMedia {
    private TestMedia() {
    }

    /** Fails under CI, skips elsewhere, when ffmpeg or ffprobe cannot be run. */
    public static void requireFfmpeg() {
        boolean installed = Commands.succeeds("ffmpeg", "-version") && Commands.succeeds("ffprobe", "-version");
        if (System.getenv("CI") != null) {
            assertTrue(installed, "CI must install ffmpeg (.ci/run): apt-get install ffmpeg");
        }
        assumeTrue(installed, "ffmpeg is not installed: apt-get install ffmpeg");
    }

    /** Runs {@code ffmpeg -v error -y ARGS}, failing the test with ffmpeg's message when it fails. */
    public static void ffmpeg(String... args) {
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(2, TimeUnit.MINUTES) && process.exitValue() == 0,
                    "ffmpeg " + String.join(" ", args) + " failed: " + output);
        } catch (IOException e) {
            throw new AssertionError("cannot run ffmpeg: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code wav} encoded to {@code out} with the codec arguments, e.g. {@code "-c:a", "libmp3lame"}. */
    public static Path encode(Path wav, Path out, String... codec) {
        List<String> args = new ArrayList<>(List.of("-i", wav.toString()));
        args.addAll(List.of(codec));
        args.add(out.toString());
        ffmpeg(args.toArray(String[]::new));
        return out;
    }

    /** An MP4 with a small H.264 video track beside {@code wav}'s audio (AAC). */
    public static Path withVideo(Path wav, Path out) {
        ffmpeg("-f", "lavfi", "-i", "color=c=black:s=64x48:r=10", "-i", wav.toString(), "-shortest",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", out.toString());
        return out;
    }
}
