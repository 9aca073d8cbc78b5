package dev.streamscribe.audio;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Converts a WAV file (PCM 8/16/24/32-bit or 32-bit float, any rate, mono or stereo) into what the realtime
 * providers take: 24 kHz mono signed 16-bit little-endian. The JDK decodes the container and the sample formats;
 * channels are averaged; {@link Resampler} changes the rate with a real anti-aliasing filter. Streaming: the
 * file is read and converted in blocks, handed to {@code sink}, so any length fits in constant memory.
 */
public final class WavToPcm16 {
    public static final int TARGET_RATE = 24_000;
    private static final int FRAMES_PER_BLOCK = 8_192;

    private WavToPcm16() {
    }

    /** What was read. */
    public record Source(float sampleRate, int channels, int bitsPerSample, String encoding, long frames) {
        public long durationMs() {
            return (long) (frames * 1000.0 / sampleRate);
        }
    }

    /** A file that is not audio the converter can read; the message says why, naming the file. */
    public static final class UnreadableAudioException extends IOException {
        public UnreadableAudioException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Converts {@code wav}, handing 24 kHz mono pcm16 bytes to {@code sink} block by block.
     *
     * @throws UnreadableAudioException empty, not a WAV, truncated, or an encoding the JDK cannot decode
     */
    public static Source convert(Path wav, Consumer<byte[]> sink) throws IOException {
        if (Files.size(wav) == 0) {
            throw new UnreadableAudioException(wav + " is empty", null);
        }
        AudioInputStream source;
        try {
            source = AudioSystem.getAudioInputStream(new BufferedInputStream(Files.newInputStream(wav)));
        } catch (UnsupportedAudioFileException e) {
            throw new UnreadableAudioException(wav + " is not a WAV file this converter can read ("
                    + (e.getMessage() == null ? "unrecognised header" : e.getMessage()) + ")", e);
        }
        AudioFormat format = source.getFormat();
        AudioFormat floats = new AudioFormat(AudioFormat.Encoding.PCM_FLOAT, format.getSampleRate(), 32,
                format.getChannels(), 4 * format.getChannels(), format.getSampleRate(), false);
        AudioInputStream decoded;
        try {
            decoded = AudioSystem.getAudioInputStream(floats, source);
        } catch (IllegalArgumentException e) {
            source.close();
            throw new UnreadableAudioException(wav + " uses " + format + ", which cannot be decoded to PCM", e);
        }
        Resampler resampler = new Resampler(Math.round(format.getSampleRate()), TARGET_RATE);
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
            throw new UnreadableAudioException(wav + " could not be read to the end (truncated?): " + e.getMessage(), e);
        }
        return new Source(format.getSampleRate(), channels, format.getSampleSizeInBits(), format.getEncoding().toString(), frames);
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
