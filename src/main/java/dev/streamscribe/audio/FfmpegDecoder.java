package dev.streamscribe.audio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Decodes compressed audio and video files (MP3, AAC/M4A, FLAC, Ogg/Opus, WebM, MP4, MKV, MOV, WMA, and whatever
 * else ffmpeg reads) into mono pcm16 at the session's rate, with an ffmpeg child process streaming raw samples
 * (s16le) through a pipe: the file is never held in memory, and ffmpeg does the down-mix and the resampling.
 * ffprobe (beside ffmpeg) says first whether the file has an audio stream and how long its container says it is:
 * ffmpeg exits 0 on a truncated MP3 and prints nothing, so a decode that falls clearly short of the declared
 * duration is refused as truncated, as the WAV path does.
 *
 * <p>Written by hand because no library on Maven Central decodes these formats in the JVM with ffmpeg's coverage;
 * the process is ffmpeg's own, this class only runs it and reads its output.
 *
 * <p>Threading: one decode per call on the caller's thread; ffmpeg's standard error is drained on a thread of its
 * own (a full stderr pipe would stall ffmpeg), and the process is destroyed if the caller's sink fails.
 */
public final class FfmpegDecoder {
    /** Extensions a directory contributes for ffmpeg (explicitly named files are probed whatever their name). */
    public static final List<String> EXTENSIONS = List.of(".mp3", ".m4a", ".aac", ".flac", ".ogg", ".oga", ".opus",
            ".webm", ".mp4", ".mkv", ".mov", ".wma");
    private static final int BLOCK_BYTES = 16_384;
    /** Decoded audio may fall this far short of the declared duration (encoder padding, rounding) before it is truncated. */
    private static final double SHORTFALL_TOLERANCE_SECONDS = 0.5;
    private static final int MESSAGE_CHARS = 300;

    private final String ffmpeg;
    private final String ffprobe;

    /**
     * @param ffmpeg the ffmpeg executable: a name looked up on PATH ("ffmpeg") or a path; ffprobe is taken from the
     *               same directory (or PATH)
     */
    public FfmpegDecoder(String ffmpeg) {
        this.ffmpeg = ffmpeg;
        Path given = Path.of(ffmpeg);
        this.ffprobe = given.getParent() == null ? "ffprobe" : given.resolveSibling("ffprobe").toString();
    }

    /**
     * What the container says about the file.
     *
     * @param audioDurations each audio stream's declared duration, in order (empty where the container has none)
     * @param streams        streams of any kind
     * @param duration       the container's duration: that of its longest stream
     */
    record Probe(List<OptionalDouble> audioDurations, int streams, OptionalDouble duration) {
        int audioStreams() {
            return audioDurations.size();
        }

        /**
         * How long audio stream {@code stream} should decode to: its own declared duration, or the container's when
         * it holds nothing else (a video or a second track would make the container's longer than this stream).
         */
        OptionalDouble declared(int stream) {
            OptionalDouble own = audioDurations.get(stream);
            return own.isPresent() || streams > 1 ? own : duration;
        }
    }

    /**
     * Decodes audio stream {@code stream} (0 = the first audio stream) of {@code file} to mono pcm16 at
     * {@code targetRate}, block by block into {@code sink}.
     *
     * @throws AudioFileDecoder.UnreadableAudioException ffmpeg is missing, the file has no such audio stream, ffmpeg
     *                                                   cannot decode it, or it is truncated; the message names the file
     */
    public AudioFileDecoder.Source decode(Path file, int targetRate, int stream, Consumer<byte[]> sink)
            throws IOException {
        Probe probe = probe(file);
        if (probe.audioStreams() == 0) {
            throw new AudioFileDecoder.UnreadableAudioException(file + " has no audio stream", null);
        }
        if (stream >= probe.audioStreams()) {
            throw new AudioFileDecoder.UnreadableAudioException(file + " has " + probe.audioStreams()
                    + " audio stream(s): --stream " + stream + " does not exist (the first is 0)", null);
        }
        Process process = start(List.of(ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-i", file.toString(),
                "-map", "0:a:" + stream, "-vn", "-ac", "1", "-ar", Integer.toString(targetRate), "-f", "s16le",
                "-acodec", "pcm_s16le", "pipe:1"), file);
        StderrDrain stderr = StderrDrain.start(process.getErrorStream());
        long bytes = 0;
        try (InputStream pcm = process.getInputStream()) {
            byte[] block = new byte[BLOCK_BYTES];
            int carry = 0;
            int read;
            while ((read = pcm.read(block, carry, block.length - carry)) >= 0) {
                int available = carry + read;
                int whole = available - available % 2;
                if (whole > 0) {
                    byte[] samples = new byte[whole];
                    System.arraycopy(block, 0, samples, 0, whole);
                    sink.accept(samples);
                    bytes += whole;
                }
                carry = available - whole;
                if (carry > 0) {
                    block[0] = block[whole];
                }
            }
            int exit = waitFor(process, file);
            if (exit != 0) {
                throw new AudioFileDecoder.UnreadableAudioException(file + " could not be decoded by ffmpeg (exit "
                        + exit + "): " + stderr.text(MESSAGE_CHARS), null);
            }
        } catch (RuntimeException | IOException e) {
            process.destroyForcibly();
            throw e;
        }
        long frames = bytes / 2;
        if (frames == 0) {
            throw new AudioFileDecoder.UnreadableAudioException(file + " holds no audio samples"
                    + (stderr.text(MESSAGE_CHARS).isEmpty() ? "" : " (ffmpeg: " + stderr.text(MESSAGE_CHARS) + ")"), null);
        }
        double decoded = frames / (double) targetRate;
        OptionalDouble declared = probe.declared(stream);
        if (declared.isPresent() && decoded + SHORTFALL_TOLERANCE_SECONDS < declared.getAsDouble()) {
            throw new AudioFileDecoder.UnreadableAudioException(String.format(Locale.ROOT, "%s is truncated: its "
                    + "container declares %.1f s but only %.1f s could be decoded", file, declared.getAsDouble(),
                    decoded), null);
        }
        return new AudioFileDecoder.Source(targetRate, 1, 16, "ffmpeg", frames);
    }

    /** ffprobe's view: the number of audio streams and the declared duration. */
    Probe probe(Path file) throws IOException {
        Process process = start(List.of(ffprobe, "-v", "error", "-show_entries", "format=duration:stream=codec_type,duration",
                "-of", "json", file.toString()), file);
        StderrDrain stderr = StderrDrain.start(process.getErrorStream());
        byte[] out;
        try (InputStream in = process.getInputStream()) {
            out = in.readAllBytes();
        }
        int exit = waitFor(process, file);
        if (exit != 0) {
            String reason = stderr.text(MESSAGE_CHARS);
            throw new AudioFileDecoder.UnreadableAudioException(file + " is not audio ffmpeg can read"
                    + (reason.isEmpty() ? "" : ": " + reason), null);
        }
        JsonNode json = new ObjectMapper().readTree(out);
        List<OptionalDouble> audio = new ArrayList<>();
        int streams = 0;
        for (JsonNode stream : json.path("streams")) {
            streams++;
            if ("audio".equals(stream.path("codec_type").asText())) {
                audio.add(seconds(stream.path("duration").asText("")));
            }
        }
        return new Probe(audio, streams, seconds(json.path("format").path("duration").asText("")));
    }

    private static OptionalDouble seconds(String text) {
        try {
            return text.isEmpty() || text.equals("N/A") ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(text));
        } catch (NumberFormatException notANumber) {
            return OptionalDouble.empty(); // no declared duration: nothing to compare against
        }
    }

    private Process start(List<String> command, Path file) throws IOException {
        try {
            Process process = new ProcessBuilder(command).start();
            process.getOutputStream().close(); // neither reads its standard input (ffmpeg also runs with -nostdin)
            return process;
        } catch (IOException e) {
            throw new AudioFileDecoder.UnreadableAudioException(file + " needs ffmpeg, which cannot be run ("
                    + command.getFirst() + ": " + e.getMessage() + "): install it (sudo apt-get install ffmpeg) or set "
                    + "ffmpeg.path; WAV and raw PCM files need no ffmpeg", e);
        }
    }

    private static int waitFor(Process process, Path file) throws IOException {
        try {
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AudioFileDecoder.UnreadableAudioException(file + ": ffmpeg did not finish within 10 minutes", null);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decoding " + file, e);
        }
    }

    /** Reads a child's standard error to the end on a thread of its own, keeping the first lines for messages. */
    private static final class StderrDrain {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final Thread thread;

        private StderrDrain(InputStream stderr) {
            thread = Thread.ofPlatform().daemon().name("ffmpeg-stderr").start(() -> {
                byte[] buffer = new byte[4096];
                try (stderr) {
                    int read;
                    while ((read = stderr.read(buffer)) >= 0) {
                        synchronized (kept) {
                            if (kept.size() < 8192) {
                                kept.write(buffer, 0, Math.min(read, 8192 - kept.size()));
                            }
                        }
                    }
                } catch (IOException closed) {
                    // the process ended
                }
            });
        }

        static StderrDrain start(InputStream stderr) {
            return new StderrDrain(stderr);
        }

        /** What ffmpeg said, on one line, at most {@code limit} characters. */
        String text(int limit) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String text;
            synchronized (kept) {
                text = kept.toString(StandardCharsets.UTF_8);
            }
            // "[mp3 @ 0x55aa0d5bc5c0] Failed to read frame size": the address says nothing to an operator
            List<String> lines = new ArrayList<>(text.lines().map(l -> l.replaceAll("\\[[\\w:-]+ @ 0x[0-9a-f]+\\] ", "").strip())
                    .filter(l -> !l.isEmpty()).toList());
            String joined = String.join("; ", lines);
            return joined.length() <= limit ? joined : joined.substring(0, limit) + "...";
        }
    }
}
