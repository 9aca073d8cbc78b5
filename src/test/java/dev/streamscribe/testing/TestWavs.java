package dev.streamscribe.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/** WAV files of any layout holding sums of tones, and the measurements that check what became of them. */
public final class TestWavs {
    private TestWavs() {
    }

    /** A tone: frequency in Hz, amplitude as a fraction of full scale. */
    public record Tone(double hz, double amplitude) {
    }

    /** Writes {@code seconds} of the tones' sum, the same in every channel. 8-bit WAV is unsigned. */
    public static Path write(Path file, float rate, int bits, int channels, boolean floating, double seconds,
                             Tone... tones) throws IOException {
        int frames = (int) Math.round(rate * seconds);
        int bytesPerSample = bits / 8;
        ByteBuffer data = ByteBuffer.allocate(frames * channels * bytesPerSample).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < frames; i++) {
            double value = 0;
            for (Tone tone : tones) {
                value += tone.amplitude() * Math.sin(2 * Math.PI * tone.hz() * i / rate);
            }
            for (int c = 0; c < channels; c++) {
                if (floating) {
                    data.putFloat((float) value);
                } else if (bits == 8) {
                    data.put((byte) (Math.round(value * 127) + 128));
                } else {
                    long scaled = Math.round(value * ((1L << (bits - 1)) - 1));
                    for (int b = 0; b < bytesPerSample; b++) {
                        data.put((byte) (scaled >> (8 * b)));
                    }
                }
            }
        }
        AudioFormat.Encoding encoding = floating ? AudioFormat.Encoding.PCM_FLOAT
                : bits == 8 ? AudioFormat.Encoding.PCM_UNSIGNED : AudioFormat.Encoding.PCM_SIGNED;
        AudioFormat format = new AudioFormat(encoding, rate, bits, channels, bytesPerSample * channels, rate, false);
        try (AudioInputStream stream = new AudioInputStream(new ByteArrayInputStream(data.array()), format, frames)) {
            AudioSystem.write(stream, AudioFileFormat.Type.WAVE, file.toFile());
        }
        return file;
    }

    /** pcm16 little-endian bytes as samples in [-1, 1]. */
    public static double[] samples(byte[] pcm16) {
        ByteBuffer buffer = ByteBuffer.wrap(pcm16).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[pcm16.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = buffer.getShort() / 32768.0;
        }
        return out;
    }

    /** Amplitude of the {@code hz} component of samples[from, to) (single-bin DFT, scaled to the tone's amplitude). */
    public static double amplitude(double[] samples, int from, int to, double hz, double rate) {
        double re = 0;
        double im = 0;
        for (int i = from; i < to; i++) {
            double phase = 2 * Math.PI * hz * (i - from) / rate;
            re += samples[i] * Math.cos(phase);
            im -= samples[i] * Math.sin(phase);
        }
        return 2 * Math.hypot(re, im) / (to - from);
    }
}
