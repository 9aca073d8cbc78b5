package dev.streamscribe.audio;

import java.util.Arrays;

/**
 * Band-limited sample-rate conversion (windowed sinc, Kaiser window), streaming: blocks go in, blocks come out, and
 * only the filter's history is kept, so hours of audio convert in constant memory. The JDK's own rate conversion
 * has no anti-aliasing filter (docs/architecture.md section 8: a 15 kHz tone at 48 kHz survives conversion to 24 kHz at full
 * level); here the cutoff sits at 45% of the lower rate and the stopband is below -80 dB, so tones above the new
 * Nyquist frequency are removed instead of folding back. No library on Maven Central that we can rely on does this
 * with a licence and size that fit, hence this class (see docs/architecture.md section 8).
 *
 * <p>Threading: not thread-safe; one instance per stream.
 */
public final class Resampler {
    private static final int ZERO_CROSSINGS = 24;
    private static final int TABLE_STEPS = 512;
    private static final double KAISER_BETA = 9.0;

    private final double step;
    private final double cutoff;
    private final double halfWidth;
    private final float[] table;
    private final boolean passThrough;
    private float[] history = new float[0];
    private double position;

    /** Converts from {@code inRate} to {@code outRate} samples per second (mono). */
    public Resampler(int inRate, int outRate) {
        if (inRate <= 0 || outRate <= 0) {
            throw new IllegalArgumentException("sample rates must be positive: " + inRate + " -> " + outRate);
        }
        // the same rate needs no filter: passing samples through keeps the band between 45% and 50% of the rate
        this.passThrough = inRate == outRate;
        this.step = (double) inRate / outRate;
        // cycles per input sample: 45% of the lower of the two rates leaves room for the transition band
        this.cutoff = 0.45 * Math.min(1.0, (double) outRate / inRate);
        this.halfWidth = ZERO_CROSSINGS / (2 * cutoff);
        int size = (int) Math.ceil(halfWidth * TABLE_STEPS) + 2;
        this.table = new float[size];
        double norm = bessel0(KAISER_BETA);
        for (int i = 0; i < size; i++) {
            double x = (double) i / TABLE_STEPS;
            if (x > halfWidth) {
                break;
            }
            double sinc = x == 0 ? 1.0 : Math.sin(Math.PI * 2 * cutoff * x) / (Math.PI * 2 * cutoff * x);
            double r = x / halfWidth;
            double window = bessel0(KAISER_BETA * Math.sqrt(1 - r * r)) / norm;
            table[i] = (float) (2 * cutoff * sinc * window);
        }
    }

    /** Zeroth-order modified Bessel function of the first kind, for the Kaiser window. */
    private static double bessel0(double x) {
        double sum = 1;
        double term = 1;
        for (int k = 1; k < 50; k++) {
            term *= (x / (2 * k)) * (x / (2 * k));
            sum += term;
            if (term < 1e-12 * sum) {
                break;
            }
        }
        return sum;
    }

    private float tap(double distance) {
        double x = Math.abs(distance) * TABLE_STEPS;
        int i = (int) x;
        if (i + 1 >= table.length) {
            return 0f;
        }
        double frac = x - i;
        return (float) (table[i] + (table[i + 1] - table[i]) * frac);
    }

    /**
     * Converts the next block. {@code last} flushes what the filter still holds (the end of the signal is padded
     * with silence), after which the resampler must not be used again.
     */
    public float[] process(float[] block, boolean last) {
        if (passThrough) {
            return block.clone();
        }
        float[] input = new float[history.length + block.length + (last ? (int) Math.ceil(halfWidth) + 1 : 0)];
        System.arraycopy(history, 0, input, 0, history.length);
        System.arraycopy(block, 0, input, history.length, block.length);
        int available = history.length + block.length;
        int reach = (int) Math.ceil(halfWidth);
        float[] out = new float[(int) ((input.length) / step) + 2];
        int produced = 0;
        double end = last ? available : available - reach;
        while (position < end) {
            int center = (int) Math.floor(position);
            double sum = 0;
            for (int j = center - reach + 1; j <= center + reach; j++) {
                if (j >= 0 && j < input.length) {
                    sum += input[j] * tap(position - j);
                }
            }
            out[produced++] = (float) sum;
            position += step;
        }
        int keepFrom = Math.max(0, Math.min(available, (int) Math.floor(position) - reach));
        history = Arrays.copyOfRange(input, keepFrom, available);
        position -= keepFrom;
        return Arrays.copyOf(out, produced);
    }
}
