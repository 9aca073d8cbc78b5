package dev.streamscribe.topology;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The packed form a dispatched session hands to the audio reader reads back exactly what was packed. */
class PackedChunkRefsTest {
    private static ChunkRef ref(long seq) {
        byte[] digest = new byte[ChunkRef.DIGEST_BYTES];
        digest[0] = (byte) seq;
        return new ChunkRef(seq, (int) (seq % 3), 1_000 + seq, 4_800, digest, (int) (seq / 10), seq % 10 == 9,
                seq == 199);
    }

    @Test
    void everyRefReadsBackAsPackedInOrder() {
        List<ChunkRef> refs = new ArrayList<>();
        for (long seq = 0; seq < 200; seq++) { // more than the initial capacity: the array grows
            refs.add(ref(seq));
        }
        List<ChunkRef> packed = PackedChunkRefs.of(refs.iterator());
        assertEquals(200, packed.size());
        assertEquals(refs, packed);
        assertEquals(refs.get(199), packed.get(199));
    }

    @Test
    void entriesOfBothStoredVersionsReadBackSideBySide() {
        byte[] version1Digest = new byte[ChunkRef.VERSION_1_DIGEST_BYTES];
        version1Digest[15] = 7;
        ChunkRef written = new ChunkRef(0, 1, 500, 4_800, version1Digest, 0, false, false);
        List<ChunkRef> refs = List.of(written, ref(1), ref(2));
        assertEquals(refs, PackedChunkRefs.of(refs.iterator()));
    }

    @Test
    void anEmptyIndexPacksToAnEmptyList() {
        assertEquals(List.of(), PackedChunkRefs.of(List.<ChunkRef>of().iterator()));
    }

    @Test
    void anIndexOutsideTheRefsIsRefused() {
        List<ChunkRef> packed = PackedChunkRefs.of(List.of(ref(0)).iterator());
        assertThrows(IndexOutOfBoundsException.class, () -> packed.get(1));
    }
}
