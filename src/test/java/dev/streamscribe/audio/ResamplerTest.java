package dev.streamscribe.audio;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The resampler keeps tones inside the new band and removes the ones above it. */
class ResamplerTest {
    static float[] tone(double hz, int rate, double seconds, double amplitude) {
        float[] signal = new float[(int) (rate * seconds)];
        for (int i = 0; i < signal.length; i++) {
            signal[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return signal;
    }

    /** Runs the signal through in uneven blocks, as a stream would arrive. */
    static float[] resample(float[] signal, int in, int out) {
        Resampler resampler = new Resampler(in, out);
        float[] result = new float[0];
        int offset = 0;
        int block = 997;
        while (offset < signal.length) {
            int length = Math.min(block, signal.length - offset);
            float[] part = Arrays.copyOfRange(signal, offset, offset + length);
            offset += length;
            float[] converted = resampler.process(part, offset >= signal.length);
            float[] joined = Arrays.copyOf(result, result.length + converted.length);
            System.arraycopy(converted, 0, joined, result.length, converted.length);
            result = joined;
            block = block == 997 ? 4_093 : 997;
        }
        return result;
    }

    /** Power of {@code hz} in the signal (Goertzel), skipping the filter's edges. */
    static double power(float[] signal, double hz, int rate) {
        int from = signal.length / 10;
        int to = signal.length - signal.length / 10;
        double coefficient = 2 * Math.cos(2 * Math.PI * hz / rate);
        double s1 = 0;
        double s2 = 0;
        for (int i = from; i < to; i++) {
            double s = signal[i] + coefficient * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        return (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / ((to - from) * (double) (to - from));
    }

    static double rms(float[] signal) {
        double sum = 0;
        int from = signal.length / 10;
        int to = signal.length - signal.length / 10;
        for (int i = from; i < to; i++) {
            sum += signal[i] * signal[i];
        }
        return Math.sqrt(sum / (to - from));
    }

    @Test
    void shouldKeepAToneAtItsFrequencyWhenDownsampling() {
        float[] out = resample(tone(1_000, 48_000, 2, 0.5), 48_000, 24_000);
        assertEquals(48_000, out.length, 2.0, "two seconds at 24 kHz");
        double wanted = power(out, 1_000, 24_000);
        assertTrue(wanted > 100 * power(out, 1_100, 24_000), "the energy stays at 1 kHz");
        assertEquals(0.5 / Math.sqrt(2), rms(out), 0.01, "and at its level");
    }

    @Test
    void shouldRemoveAToneAboveTheNewNyquistByAtLeastSixtyDecibels() {
        float[] in = tone(15_000, 48_000, 2, 0.5);
        float[] out = resample(in, 48_000, 24_000);
        double attenuation = 20 * Math.log10(rms(out) / rms(in));
        System.out.printf("15 kHz tone, 48 kHz -> 24 kHz: %.1f dB%n", attenuation);
        assertTrue(attenuation <= -60, "attenuation " + attenuation + " dB");
    }

    @Test
    void shouldKeepAToneWhenUpsampling() {
        float[] out = resample(tone(3_000, 16_000, 2, 0.5), 16_000, 24_000);
        assertEquals(48_000, out.length, 2.0);
        assertTrue(power(out, 3_000, 24_000) > 100 * power(out, 9_000, 24_000), "no image of the tone above 8 kHz");
        assertEquals(0.5 / Math.sqrt(2), rms(out), 0.01);
    }

    @Test
    void shouldConvertOddRatesAndKeepTheDuration() {
        float[] out = resample(tone(440, 44_100, 3, 0.3), 44_100, 24_000);
        assertEquals(72_000, out.length, 2.0);
        assertTrue(power(out, 440, 24_000) > 100 * power(out, 600, 24_000));
    }
}
