package dev.streamscribe.realtime.server;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The input audio buffer: appends in order, whatever their buffers' positions, taken once. */
class InputAudioBufferTest {
    @Test
    void aCommitTakesEveryAppendInOrderAndLeavesTheBufferEmpty() {
        InputAudioBuffer buffer = new InputAudioBuffer();
        buffer.append(ByteBuffer.wrap(new byte[]{1, 2}));
        buffer.append(ByteBuffer.wrap(new byte[]{9, 3, 4, 9}, 1, 2)); // a view with a position and a limit
        assertEquals(4, buffer.size());
        assertArrayEquals(new byte[]{1, 2, 3, 4}, buffer.take());
        assertEquals(0, buffer.size());
        assertArrayEquals(new byte[0], buffer.take());
    }

    @Test
    void aClearDropsWhatWasAppended() {
        InputAudioBuffer buffer = new InputAudioBuffer();
        buffer.append(ByteBuffer.wrap(new byte[]{1, 2}));
        buffer.clear();
        buffer.append(ByteBuffer.wrap(new byte[]{5, 6}));
        assertArrayEquals(new byte[]{5, 6}, buffer.take());
    }
}
