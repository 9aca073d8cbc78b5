package dev.streamscribe.audio;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * Decodes an audio file into mono signed 16-bit little-endian PCM at the rate a realtime provider takes (24 kHz for
 * pcm16, 8 kHz before G.711 encoding). WAV files (PCM 8/16/24/32-bit or 32-bit float, any rate, mono or stereo) are
 * read through the JDK's container and sample-format decoders; headerless {@code .pcm} files through the same
 * decoders with a {@link RawFormat} the caller states. Channels are averaged; {@link Resampler} changes the rate with
 * a real anti-aliasing filter. Streaming: the file is read and converted in blocks handed to {@code sink}, so any
 * length fits in constant memory.
 */
public final class AudioFileDecoder {
    /** pcm16 rate of every realtime provider. */
    public static final int PCM16_RATE = 24_000;
    /** G.711 rate. */
    public static final int G711_RATE = 8_000;
    private static final int FRAMES_PER_BLOCK = 8_192;

    private AudioFileDecoder() {
    }

    /** What was read. */
    public record Source(float sampleRate, int channels, int bitsPerSample, String encoding, long frames) {
        public long durationMs() {
            return (long) (frames * 1000.0 / sampleRate);
        }
    }

    /**
     * The layout of a headerless PCM file.
     *
     * @param sampleRate    samples per second per channel
     * @param channels      1 or 2 (interleaved)
     * @param bitsPerSample 8, 16, 24 or 32
     * @param floating      32-bit IEEE float samples instead of signed integers
     * @param bigEndian     byte order of multi-byte samples
     */
    public record RawFormat(int sampleRate, int channels, int bitsPerSample, boolean floating, boolean bigEndian) {
        public RawFormat {
            if (sampleRate < 1_000 || sampleRate > 384_000) {
                throw new IllegalArgumentException("raw sample rate must be between 1000 and 384000 Hz, not " + sampleRate);
            }
            if (channels < 1 || channels > 8) {
                throw new IllegalArgumentException("raw channel count must be between 1 and 8, not " + channels);
            }
            if (floating ? bitsPerSample != 32 : (bitsPerSample % 8 != 0 || bitsPerSample < 8 || bitsPerSample > 32)) {
                throw new IllegalArgumentException("raw samples must be 8, 16, 24 or 32-bit integers or 32-bit float, not "
                        + bitsPerSample + "-bit" + (floating ? " float" : ""));
            }
        }

        /** The providers' own format: 24 kHz mono pcm16 little-endian. */
        public static RawFormat pcm16Mono24k() {
            return new RawFormat(PCM16_RATE, 1, 16, false, false);
        }

        AudioFormat toAudioFormat() {
            AudioFormat.Encoding encoding = floating ? AudioFormat.Encoding.PCM_FLOAT
                    : bitsPerSample == 8 ? AudioFormat.Encoding.PCM_UNSIGNED : AudioFormat.Encoding.PCM_SIGNED;
            int frameSize = bitsPerSample / 8 * channels;
            return new AudioFormat(encoding, sampleRate, bitsPerSample, channels, frameSize, sampleRate, bigEndian);
        }
    }

    /** A file that is not audio the decoder can read; the message says why, naming the file. */
    public static final class UnreadableAudioException extends IOException {
        public UnreadableAudioException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Decodes a WAV file into mono pcm16 at {@code targetRate}, block by block.
     *
     * @throws UnreadableAudioException empty, not a WAV, truncated, or an encoding the JDK cannot decode
     */
    public static Source wav(Path wav, int targetRate, Consumer<byte[]> sink) throws IOException {
        requireNonEmpty(wav);
        AudioInputStream source;
        try {
            source = AudioSystem.getAudioInputStream(new BufferedInputStream(Files.newInputStream(wav)));
        } catch (UnsupportedAudioFileException e) {
            throw new UnreadableAudioException(wav + " is not a WAV file this converter can read ("
                    + (e.getMessage() == null ? "unrecognised header" : e.getMessage()) + ")", e);
        }
        return convert(wav, source, targetRate, sink);
    }

    /**
     * Decodes a headerless PCM file of the stated layout into mono pcm16 at {@code targetRate}.
     *
     * @throws UnreadableAudioException empty, or a length that is not a whole number of frames
     */
    public static Source raw(Path pcm, RawFormat format, int targetRate, Consumer<byte[]> sink) throws IOException {
        requireNonEmpty(pcm);
        AudioFormat audioFormat = format.toAudioFormat();
        long size = Files.size(pcm);
        if (size % audioFormat.getFrameSize() != 0) {
            throw new UnreadableAudioException(pcm + " is " + size + " bytes, not a whole number of "
                    + audioFormat.getFrameSize() + "-byte frames of " + describe(format)
                    + ": check --pcm-rate/--pcm-channels/--pcm-bits", null);
        }
        AudioInputStream source = new AudioInputStream(new BufferedInputStream(Files.newInputStream(pcm)), audioFormat,
                size / audioFormat.getFrameSize());
        return convert(pcm, source, targetRate, sink);
    }

    /** Decodes a WAV file into 24 kHz mono pcm16. */
    public static Source wavToPcm16(Path wav, Consumer<byte[]> sink) throws IOException {
        return wav(wav, PCM16_RATE, sink);
    }

    private static String describe(RawFormat format) {
        return format.bitsPerSample() + "-bit " + (format.floating() ? "float" : "integer") + ", "
                + format.channels() + " channel(s)";
    }

    private static void requireNonEmpty(Path file) throws IOException {
        if (Files.size(file) == 0) {
            throw new UnreadableAudioException(file + " is empty", null);
        }
    }

    private static Source convert(Path file, AudioInputStream source, int targetRate, Consumer<byte[]> sink)
            throws IOException {
        AudioFormat format = source.getFormat();
        if (isTargetPcm16(format, targetRate)) {
            return copy(file, source, sink);
        }
        AudioFormat floats = new AudioFormat(AudioFormat.Encoding.PCM_FLOAT, format.getSampleRate(), 32,
                format.getChannels(), 4 * format.getChannels(), format.getSampleRate(), false);
        AudioInputStream decoded;
        try {
            decoded = AudioSystem.getAudioInputStream(floats, source);
        } catch (IllegalArgumentException e) {
            source.close();
            throw new UnreadableAudioException(file + " uses " + format + ", which cannot be decoded to PCM", e);
        }
        Resampler resampler = new Resampler(Math.round(format.getSampleRate()), targetRate);
        int channels = format.getChannels();
        byte[] buffer = new byte[FRAMES_PER_BLOCK * 4 * channels];
        long frames = 0;
        try (InputStream in = decoded) {
            while (true) {
                int read = in.readNBytes(buffer, 0, buffer.length);
                int whole = read / (4 * channels);
                boolean last = read < buffer.length;
                float[] mono = new float[whole];
                ByteBuffer samples = ByteBuffer.wrap(buffer, 0, whole * 4 * channels).order(ByteOrder.LITTLE_ENDIAN);
                for (int frame = 0; frame < whole; frame++) {
                    float sum = 0;
                    for (int c = 0; c < channels; c++) {
                        sum += samples.getFloat();
                    }
                    mono[frame] = sum / channels;
                }
                frames += whole;
                float[] converted = resampler.process(mono, last);
                if (converted.length > 0) {
                    sink.accept(toPcm16(converted));
                }
                if (last) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UnreadableAudioException(file + " could not be read to the end (truncated?): " + e.getMessage(), e);
        }
        checkLength(file, format, source.getFrameLength(), frames);
        return new Source(format.getSampleRate(), channels, format.getSampleSizeInBits(), format.getEncoding().toString(), frames);
    }

    /** Already what is asked for: mono signed 16-bit little-endian at the target rate. */
    private static boolean isTargetPcm16(AudioFormat format, int targetRate) {
        return format.getEncoding() == AudioFormat.Encoding.PCM_SIGNED && format.getSampleSizeInBits() == 16
                && format.getChannels() == 1 && !format.isBigEndian() && Math.round(format.getSampleRate()) == targetRate;
    }

    /** Hands the samples on unchanged (the common case of audio already in the providers' format). */
    private static Source copy(Path file, AudioInputStream source, Consumer<byte[]> sink) throws IOException {
        AudioFormat format = source.getFormat();
        byte[] buffer = new byte[FRAMES_PER_BLOCK * 2 * 8];
        long bytes = 0;
        try (InputStream in = source) {
            for (int read; (read = in.readNBytes(buffer, 0, buffer.length)) > 0; ) {
                int whole = read - read % 2;
                bytes += whole;
                sink.accept(Arrays.copyOf(buffer, whole));
            }
        } catch (IOException e) {
            throw new UnreadableAudioException(file + " could not be read to the end (truncated?): " + e.getMessage(), e);
        }
        long frames = bytes / 2;
        checkLength(file, format, source.getFrameLength(), frames);
        return new Source(format.getSampleRate(), 1, 16, format.getEncoding().toString(), frames);
    }

    private static void checkLength(Path file, AudioFormat format, long declared, long frames)
            throws UnreadableAudioException {
        if (declared != AudioSystem.NOT_SPECIFIED && frames < declared) {
            throw new UnreadableAudioException(String.format(Locale.ROOT,
                    "%s is truncated: its header declares %d frames (%.2f s) but it holds %d (%.2f s)", file, declared,
                    declared / format.getSampleRate(), frames, frames / format.getSampleRate()), null);
        }
    }

    static byte[] toPcm16(float[] samples) {
        ByteBuffer out = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float sample : samples) {
            float clipped = Math.max(-1f, Math.min(1f, sample));
            out.putShort((short) Math.round(clipped * 32767));
        }
        return out.array();
    }
}
