package dev.streamscribe.ingest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkSequencerTest {
    private final List<ChunkSequencer.Chunk> chunks = new ArrayList<>();

    private String layout() {
        return layout(chunks);
    }

    /** "seq:turn:bytes[T][S]" per chunk, space-separated: a layout readable in an assertion message. */
    static String layout(List<ChunkSequencer.Chunk> chunks) {
        StringBuilder text = new StringBuilder();
        for (ChunkSequencer.Chunk c : chunks) {
            text.append(c.seq()).append(':').append(c.turnIndex()).append(':').append(c.audio().length)
                    .append(c.endOfTurn() ? "T" : "").append(c.endOfSession() ? "S" : "").append(' ');
        }
        return text.toString().trim();
    }

    @Test
    void shouldSplitTurnsIntoChunksOfAtMostTheLimitWithFlagsOnTheLastOfEach() {
        ChunkSequencer sequencer = new ChunkSequencer(1_000, 2, chunks::add);
        sequencer.append(new byte[2_500]);
        sequencer.endTurn();
        sequencer.append(new byte[1_000]);
        assertEquals(2, sequencer.turns());
        assertEquals(4, sequencer.finish());
        assertEquals("0:0:1000 1:0:1000 2:0:500T 3:1:1000TS", layout());
    }

    @Test
    void aLiveSequencerReleasesATurnsLastChunkWhenTheTurnEndsAndEndsWithAnEmptyChunk() {
        ChunkSequencer sequencer = new ChunkSequencer(1_000, 2, chunks::add, true);
        sequencer.append(new byte[1_500]);
        assertEquals("", layout(), "the full chunk waits: whether it ends the turn is not known yet");
        sequencer.endTurn();
        assertEquals("0:0:1000 1:0:500T", layout(), "the turn's end goes out with the turn, not with the next audio");
        sequencer.append(new byte[1_000]);
        sequencer.endTurn();
        assertEquals(4, sequencer.finish());
        assertEquals("0:0:1000 1:0:500T 2:1:1000T 3:2:0TS", layout(), "an empty chunk only ends the session");
    }

    @Test
    void aLiveSequencerEndsATurnStillOpenAtTheEndAsABatchOneDoes() {
        ChunkSequencer sequencer = new ChunkSequencer(1_000, 2, chunks::add, true);
        sequencer.append(new byte[600]);
        sequencer.endTurn();
        sequencer.append(new byte[400]);
        sequencer.finish();
        assertEquals("0:0:600T 1:1:400TS", layout());
    }

    @Test
    void shouldMarkAFullChunkAsTheTurnsEndWhenTheTurnEndsOnItsBoundary() {
        ChunkSequencer sequencer = new ChunkSequencer(1_000, 2, chunks::add);
        sequencer.append(new byte[2_000]);
        sequencer.endTurn();
        sequencer.endTurn(); // nothing since the last end: no empty turn
        sequencer.append(new byte[10]);
        sequencer.finish();
        assertEquals("0:0:1000 1:0:1000T 2:1:10TS", layout());
    }

    @Test
    void shouldKeepChunksSampleAligned() {
        ChunkSequencer sequencer = new ChunkSequencer(1_001, 2, chunks::add);
        sequencer.append(new byte[2_100]);
        sequencer.finish();
        assertTrue(chunks.stream().allMatch(c -> c.audio().length % 2 == 0));
        assertEquals("0:0:1000 1:0:1000 2:0:100TS", layout());
    }

    @Test
    void shouldEmitNothingForASessionWithoutAudio() {
        ChunkSequencer sequencer = new ChunkSequencer(1_000, 2, chunks::add);
        sequencer.endTurn();
        assertEquals(0, sequencer.finish());
        assertFalse(chunks.iterator().hasNext());
    }
}
