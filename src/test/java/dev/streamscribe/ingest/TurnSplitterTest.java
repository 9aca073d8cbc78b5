package dev.streamscribe.ingest;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TurnSplitterTest {
    private static final int RATE = 24_000;

    /** Tone (speech stand-in) or silence of the given length, pcm16. */
    private static byte[] audio(boolean tone, long millis) {
        int samples = (int) (RATE * millis / 1000);
        ByteBuffer out = ByteBuffer.allocate(samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < samples; i++) {
            out.putShort(tone ? (short) (8000 * Math.sin(2 * Math.PI * 440 * i / RATE)) : (short) (i % 3 - 1));
        }
        return out.array();
    }

    /** Records the turns the splitter cuts, as lengths in ms, and the audio of the turn still open. */
    private static final class TurnLengths implements TurnSplitter.Output {
        final List<Long> turns = new ArrayList<>();
        long currentBytes;

        @Override
        public void audio(byte[] pcm16) {
            currentBytes += pcm16.length;
        }

        @Override
        public void endTurn() {
            turns.add(currentBytes / 48);
            currentBytes = 0;
        }
    }

    /** Turn lengths in ms as the splitter cut them, feeding blocks of odd sizes. */
    private static List<Long> split(TurnPolicy policy, byte[]... parts) {
        TurnLengths cut = new TurnLengths();
        TurnSplitter splitter = new TurnSplitter(RATE, policy, cut);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        byte[] bytes = all.toByteArray();
        for (int offset = 0; offset < bytes.length; offset += 1234) {
            splitter.accept(Arrays.copyOfRange(bytes, offset, Math.min(bytes.length, offset + 1234)));
        }
        splitter.finish();
        if (cut.currentBytes > 0) {
            cut.turns.add(cut.currentBytes / 48);
        }
        return cut.turns;
    }

    @Test
    void anExplicitEndOfTurnCutsWhereTheInputStandsAndRestartsThePolicysCounts() {
        TurnLengths cut = new TurnLengths();
        TurnSplitter splitter = new TurnSplitter(RATE, new TurnPolicy(Duration.ofSeconds(2), Duration.ZERO, -40,
                Duration.ZERO), cut);
        splitter.accept(audio(true, 1_510)); // not a whole number of 20 ms frames: the partial frame is in the turn
        splitter.endTurn();
        splitter.endTurn(); // nothing since the last end: no empty turn
        splitter.accept(audio(true, 1_900));
        splitter.finish();
        assertEquals(List.of(1_510L), cut.turns, "the max-turn count restarted: 1.9 s after the cut is under 2 s");
        assertEquals(1_900L, cut.currentBytes / 48);
    }

    @Test
    void shouldStartANewTurnWhereSpeechResumesAfterALongPause() {
        List<Long> turns = split(TurnPolicy.defaults(), audio(true, 3_000), audio(false, 1_000), audio(true, 2_500));
        assertEquals(List.of(4_000L, 2_500L), turns);
    }

    @Test
    void shouldKeepShortPausesInsideTheTurn() {
        List<Long> turns = split(TurnPolicy.defaults(), audio(true, 3_000), audio(false, 500), audio(true, 2_500));
        assertEquals(List.of(6_000L), turns);
    }

    @Test
    void shouldKeepLeadingAndTrailingSilenceWithTheirTurns() {
        List<Long> turns = split(TurnPolicy.defaults(), audio(false, 1_500), audio(true, 3_000), audio(false, 2_000));
        assertEquals(List.of(6_500L), turns);
    }

    @Test
    void shouldNotEndATurnShorterThanTheMinimumAtAPause() {
        List<Long> turns = split(TurnPolicy.defaults(), audio(true, 500), audio(false, 1_000), audio(true, 2_000));
        assertEquals(List.of(3_500L), turns);
    }

    @Test
    void shouldCutAtTheMaximumTurnLength() {
        TurnPolicy policy = new TurnPolicy(Duration.ofSeconds(4), Duration.ZERO, -40, Duration.ZERO);
        assertEquals(List.of(4_000L, 4_000L, 2_000L), split(policy, audio(true, 10_000)));
    }

    @Test
    void shouldKeepTheWholeFileAsOneTurnWhenSplittingIsOff() {
        List<Long> turns = split(TurnPolicy.wholeFile(), audio(true, 3_000), audio(false, 3_000), audio(true, 3_000));
        assertEquals(List.of(9_000L), turns);
    }
}
