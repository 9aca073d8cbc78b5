package dev.streamscribe.topology;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Records fetched along: kept by partition and offset, handed out once, the oldest dropped past the bound. */
class FetchedChunksTest {
    @Test
    void aKeptRecordIsHandedOutOnce() {
        FetchedChunks chunks = new FetchedChunks(100);
        chunks.keep(0, 7, new byte[]{1, 2, 3});
        assertArrayEquals(new byte[]{1, 2, 3}, chunks.take(0, 7).orElseThrow());
        assertEquals(Optional.empty(), chunks.take(0, 7));
        assertEquals(Optional.empty(), chunks.take(1, 7), "another partition's offset 7 is another record");
        assertEquals(1, chunks.hits());
        assertEquals(0, chunks.bytes());
    }

    @Test
    void theOldestRecordsGoFirstOnceTheBoundIsReached() {
        FetchedChunks chunks = new FetchedChunks(100);
        chunks.keep(0, 1, new byte[40]);
        chunks.keep(0, 2, new byte[40]);
        chunks.keep(0, 3, new byte[40]);
        assertEquals(80, chunks.bytes());
        assertTrue(chunks.take(0, 1).isEmpty(), "the oldest was dropped");
        assertTrue(chunks.take(0, 2).isPresent() && chunks.take(0, 3).isPresent());
    }

    @Test
    void aRecordLargerThanTheBoundIsNotKept() {
        FetchedChunks chunks = new FetchedChunks(10);
        chunks.keep(0, 1, new byte[11]);
        assertEquals(0, chunks.bytes());
    }
}
