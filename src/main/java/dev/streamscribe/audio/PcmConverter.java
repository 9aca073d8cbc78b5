package dev.streamscribe.audio;

import dev.streamscribe.audio.AudioFileDecoder.RawFormat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Converts interleaved PCM of any {@link RawFormat} held in memory into mono signed 16-bit little-endian samples at
 * a target rate, block by block: samples are decoded by hand (8-bit unsigned, 16/24/32-bit signed in either byte
 * order, 32-bit float), channels averaged, and the rate changed by {@link Resampler}. Audio already in the target
 * layout passes through as it is. Used for audio that arrives in pieces (the producer API), where the JDK's stream
 * decoders, which want the whole input as one stream, do not fit.
 *
 * <p>Threading: not thread-safe; one instance per stream of audio.
 */
public final class PcmConverter {
    private final RawFormat format;
    private final int targetRate;
    private final int frameBytes;
    private final boolean passThrough;
    private Resampler resampler;

    public PcmConverter(RawFormat format, int targetRate) {
        this.format = format;
        this.targetRate = targetRate;
        this.frameBytes = format.bitsPerSample() / 8 * format.channels();
        this.passThrough = format.equals(new RawFormat(targetRate, 1, 16, false, false));
        this.resampler = new Resampler(format.sampleRate(), targetRate);
    }

    /** The layout this converter reads. */
    public RawFormat format() {
        return format;
    }

    /** Bytes per frame (one sample of every channel). */
    public int frameBytes() {
        return frameBytes;
    }

    /**
     * Converts the next whole frames; the resampler keeps what its filter still needs for the next block.
     *
     * @throws IllegalArgumentException {@code length} is not a whole number of frames
     */
    public byte[] convert(byte[] audio, int offset, int length) {
        if (length % frameBytes != 0) {
            throw new IllegalArgumentException(length + " bytes is not a whole number of " + frameBytes
                    + "-byte frames of " + format.bitsPerSample() + "-bit " + (format.floating() ? "float" : "integer")
                    + " audio with " + format.channels() + " channel(s); append whole frames");
        }
        if (passThrough) {
            return Arrays.copyOfRange(audio, offset, offset + length);
        }
        return AudioFileDecoder.toPcm16(resampler.process(mono(audio, offset, length), false));
    }

    /**
     * Hands on what the resampler still holds (the signal is taken to end here, padded with silence by the filter),
     * and starts afresh: the next block begins a new signal, as at a turn boundary.
     */
    public byte[] flush() {
        if (passThrough) {
            return new byte[0];
        }
        byte[] tail = AudioFileDecoder.toPcm16(resampler.process(new float[0], true));
        resampler = new Resampler(format.sampleRate(), targetRate);
        return tail;
    }

    private float[] mono(byte[] audio, int offset, int length) {
        int channels = format.channels();
        int bytes = format.bitsPerSample() / 8;
        int frames = length / frameBytes;
        ByteBuffer in = ByteBuffer.wrap(audio, offset, length)
                .order(format.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        float[] mono = new float[frames];
        for (int frame = 0; frame < frames; frame++) {
            float sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += sample(in, bytes);
            }
            mono[frame] = sum / channels;
        }
        return mono;
    }

    /** One sample as a float in [-1, 1]. */
    private float sample(ByteBuffer in, int bytes) {
        if (format.floating()) {
            return in.getFloat();
        }
        return switch (bytes) {
            case 1 -> ((in.get() & 0xff) - 128) / 128f;
            case 2 -> in.getShort() / 32768f;
            case 3 -> {
                int b0 = in.get() & 0xff;
                int b1 = in.get() & 0xff;
                int b2 = in.get();
                int value = format.bigEndian() ? (b0 << 24 >> 8) | (b1 << 8) | (b2 & 0xff)
                        : (b2 << 16) | (b1 << 8) | b0;
                yield value / 8_388_608f;
            }
            default -> in.getInt() / 2_147_483_648f;
        };
    }
}
