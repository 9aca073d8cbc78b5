package dev.streamscribe.ingest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Cuts a stream of mono pcm16 samples into turns by {@link TurnPolicy}: a turn ends where speech resumes after a
 * pause of at least {@code minSilence} (so the pause stays with the turn before it, and a trailing pause with the
 * last turn), or where the turn would exceed {@code maxTurn}. Silence is judged per 20 ms frame by RMS level. Pure
 * and streaming: blocks of any size go in, audio and turn boundaries come out in order.
 *
 * <p>Threading: not thread-safe; one instance per session.
 */
public final class TurnSplitter {
    /** Where the splitter's decisions go. */
    public interface Output {
        /** pcm16 samples of the current turn. */
        void audio(byte[] pcm16);

        /** The current turn ends here; the next audio belongs to a new turn. */
        void endTurn();
    }

    private final TurnPolicy policy;
    private final Output out;
    private final int frameBytes;
    private final long maxTurnBytes;
    private final long minSilenceBytes;
    private final long minTurnBytes;
    private final double thresholdRms;
    private final byte[] frame;
    private int filled;
    private long turnBytes;
    private long silentBytes;
    private boolean voicedInTurn;

    public TurnSplitter(int sampleRate, TurnPolicy policy, Output out) {
        this.policy = policy;
        this.out = out;
        this.frameBytes = 2 * Math.max(1, sampleRate / 50);
        this.maxTurnBytes = bytesOf(policy.maxTurn().toMillis(), sampleRate);
        this.minSilenceBytes = bytesOf(policy.minSilence().toMillis(), sampleRate);
        this.minTurnBytes = bytesOf(policy.minTurn().toMillis(), sampleRate);
        this.thresholdRms = 32768 * Math.pow(10, policy.silenceThresholdDb() / 20);
        this.frame = new byte[frameBytes];
    }

    private static long bytesOf(long millis, int sampleRate) {
        return millis * sampleRate / 1000 * 2;
    }

    /** Takes the next block of pcm16 samples (an even number of bytes). */
    public void accept(byte[] pcm16) {
        int offset = 0;
        while (offset < pcm16.length) {
            int take = Math.min(frameBytes - filled, pcm16.length - offset);
            System.arraycopy(pcm16, offset, frame, filled, take);
            filled += take;
            offset += take;
            if (filled == frameBytes) {
                onFrame(frame, frameBytes);
                filled = 0;
            }
        }
    }

    /** Hands on the last partial frame; no further input. */
    public void finish() {
        if (filled > 0) {
            onFrame(frame, filled);
            filled = 0;
        }
    }

    /**
     * Ends the current turn where the input stands (its last partial frame included), whatever the policy says; a
     * turn without audio is not made. The next audio starts a new turn with fresh pause and length counts.
     */
    public void endTurn() {
        finish();
        if (turnBytes > 0) {
            cut();
        }
        silentBytes = 0;
    }

    private void onFrame(byte[] samples, int length) {
        // without silence splitting, the level of a frame decides nothing: skip measuring it
        boolean silent = !policy.minSilence().isZero() && rms(samples, length) < thresholdRms;
        if (!silent) {
            if (!policy.minSilence().isZero() && voicedInTurn && silentBytes >= minSilenceBytes
                    && turnBytes >= minTurnBytes) {
                cut();
            }
            voicedInTurn = true;
            silentBytes = 0;
        } else {
            silentBytes += length;
        }
        if (maxTurnBytes > 0 && turnBytes > 0 && turnBytes + length > maxTurnBytes) {
            cut();
            voicedInTurn = !silent;
        }
        out.audio(Arrays.copyOf(samples, length));
        turnBytes += length;
    }

    private void cut() {
        out.endTurn();
        turnBytes = 0;
        voicedInTurn = false;
    }

    private static double rms(byte[] samples, int length) {
        ByteBuffer buffer = ByteBuffer.wrap(samples, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        double sum = 0;
        int count = length / 2;
        for (int i = 0; i < count; i++) {
            double s = buffer.getShort();
            sum += s * s;
        }
        return count == 0 ? 0 : Math.sqrt(sum / count);
    }
}
