package dev.streamscribe.audio;

import dev.streamscribe.testing.TestMedia;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ffmpeg decoding, on files made from the bundled samples at test time: every format decodes to the length of its
 * WAV original; a truncated MP3, a video without audio, a text file named .mp3, a missing ffmpeg and a stream that
 * does not exist each get a message that says so.
 */
class FfmpegDecoderIT {
    private static final Path SAMPLES = Path.of(System.getProperty("streamscribe.project.dir", ".")).resolve("samples");
    private static final Path WEATHER = SAMPLES.resolve("01-slt-weather.wav");
    private static final Path MEETING = SAMPLES.resolve("02-rms-meeting.wav");
    private static final FfmpegDecoder FFMPEG = new FfmpegDecoder("ffmpeg");
    @TempDir
    static Path dir;

    @BeforeAll
    static void requireFfmpeg() {
        TestMedia.requireFfmpeg();
    }

    private static long wavFrames(Path wav) throws IOException {
        return AudioFileDecoder.wav(wav, AudioFileDecoder.PCM16_RATE, pcm -> { }).frames();
    }

    private static byte[] decode(Path file, int stream) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FFMPEG.decode(file, AudioFileDecoder.PCM16_RATE, stream, out::writeBytes);
        return out.toByteArray();
    }

    @Test
    void decodesEveryFormatToTheLengthOfItsWavOriginal() throws IOException {
        long original = wavFrames(WEATHER);
        Path stereo = TestMedia.encode(WEATHER, dir.resolve("stereo-48k.wav.flac"), "-ac", "2", "-ar", "48000");
        List<Path> files = List.of(
                TestMedia.encode(WEATHER, dir.resolve("w.mp3"), "-c:a", "libmp3lame", "-b:a", "64k"),
                TestMedia.encode(WEATHER, dir.resolve("w.m4a"), "-c:a", "aac", "-b:a", "64k"),
                TestMedia.encode(WEATHER, dir.resolve("w.flac")),
                TestMedia.encode(WEATHER, dir.resolve("w.opus"), "-c:a", "libopus", "-b:a", "32k"),
                TestMedia.encode(WEATHER, dir.resolve("w.webm"), "-c:a", "libopus"),
                TestMedia.withVideo(WEATHER, dir.resolve("w.mp4")),
                stereo);
        for (Path file : files) {
            long frames = decode(file, 0).length / 2;
            // encoders pad the start and end by a few ms (AAC primes 1024 samples): 60 ms either way
            assertTrue(Math.abs(frames - original) <= 0.06 * AudioFileDecoder.PCM16_RATE,
                    file.getFileName() + ": " + frames + " frames, the WAV has " + original);
        }
    }

    @Test
    void downmixesAndResamplesLikeTheWavPath() throws IOException {
        ByteArrayOutputStream wav = new ByteArrayOutputStream();
        AudioFileDecoder.wav(WEATHER, AudioFileDecoder.PCM16_RATE, wav::writeBytes);
        Path flac = TestMedia.encode(WEATHER, dir.resolve("lossless.flac"), "-ac", "2", "-ar", "48000");
        double[] viaWav = samples(wav.toByteArray());
        double[] viaFfmpeg = samples(decode(flac, 0));
        int n = Math.min(viaWav.length, viaFfmpeg.length);
        assertTrue(correlation(Arrays.copyOf(viaWav, n), Arrays.copyOf(viaFfmpeg, n)) > 0.98,
                "lossless stereo 48 kHz through ffmpeg sounds like the WAV path's 24 kHz mono");
    }

    @Test
    void refusesATruncatedMp3ThatFfmpegDecodesWithoutComplaint() throws IOException {
        Path mp3 = TestMedia.encode(WEATHER, dir.resolve("whole.mp3"), "-c:a", "libmp3lame", "-b:a", "64k");
        byte[] bytes = Files.readAllBytes(mp3);
        Path truncated = Files.write(dir.resolve("truncated.mp3"), Arrays.copyOf(bytes, bytes.length / 2));
        var e = assertThrows(AudioFileDecoder.UnreadableAudioException.class, () -> decode(truncated, 0));
        assertTrue(e.getMessage().startsWith(truncated + " is truncated: its container declares 4.7 s but only "),
                e.getMessage());
    }

    @Test
    void refusesAVideoWithoutAnAudioStream() {
        Path video = dir.resolve("silent-film.mp4");
        TestMedia.ffmpeg("-f", "lavfi", "-i", "color=c=black:s=64x48:d=2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                video.toString());
        var e = assertThrows(AudioFileDecoder.UnreadableAudioException.class, () -> decode(video, 0));
        assertEquals(video + " has no audio stream", e.getMessage());
    }

    @Test
    void refusesATextFileNamedMp3WithFfmpegsOwnReason() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.mp3"), "these are meeting notes, not audio\n".repeat(20));
        var e = assertThrows(AudioFileDecoder.UnreadableAudioException.class, () -> decode(text, 0));
        assertTrue(e.getMessage().startsWith(text + " is not audio ffmpeg can read: "), e.getMessage());
        assertTrue(e.getMessage().contains("Invalid"), "ffmpeg's own words: " + e.getMessage());
        assertTrue(!e.getMessage().contains(" @ 0x"), "without ffmpeg's internal addresses: " + e.getMessage());
    }

    @Test
    void saysHowToInstallFfmpegWhenItCannotBeRun() throws IOException {
        Path mp3 = TestMedia.encode(WEATHER, dir.resolve("needs-ffmpeg.mp3"), "-c:a", "libmp3lame");
        FfmpegDecoder missing = new FfmpegDecoder(dir.resolve("no-such-dir/ffmpeg").toString());
        var e = assertThrows(AudioFileDecoder.UnreadableAudioException.class,
                () -> missing.decode(mp3, AudioFileDecoder.PCM16_RATE, 0, pcm -> { }));
        assertTrue(e.getMessage().startsWith(mp3 + " needs ffmpeg, which cannot be run"), e.getMessage());
        assertTrue(e.getMessage().contains("sudo apt-get install ffmpeg") && e.getMessage().contains("ffmpeg.path"),
                e.getMessage());
    }

    @Test
    void picksTheAudioStreamAskedForAndRefusesOneThatDoesNotExist() throws IOException {
        Path both = dir.resolve("two-tracks.mkv");
        TestMedia.ffmpeg("-i", WEATHER.toString(), "-i", MEETING.toString(), "-map", "0:a", "-map", "1:a",
                "-c:a", "flac", both.toString());
        long second = decode(both, 1).length / 2;
        assertTrue(Math.abs(second - wavFrames(MEETING)) <= 0.06 * AudioFileDecoder.PCM16_RATE,
                "stream 1 is the meeting recording: " + second + " frames");
        var e = assertThrows(AudioFileDecoder.UnreadableAudioException.class, () -> decode(both, 2));
        assertEquals(both + " has 2 audio stream(s): --stream 2 does not exist (the first is 0)", e.getMessage());
    }

    private static double[] samples(byte[] pcm16) {
        double[] out = new double[pcm16.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) ((pcm16[2 * i] & 0xff) | (pcm16[2 * i + 1] << 8)) / 32768.0;
        }
        return out;
    }

    private static double correlation(double[] a, double[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
