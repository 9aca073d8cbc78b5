package dev.streamscribe.topology;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.RandomAccess;

/**
 * A session's chunk references in seq order as one packed byte array (the store's own 45-byte encoding per chunk),
 * decoded on access: what a dispatched session hands to the audio reader, which runs off the stream thread and
 * cannot read the store itself. Half the heap of a list of {@link ChunkRef} objects and one allocation instead of
 * two per chunk; bounded by {@code session.max-chunks} (200,000 chunks: 9 MB).
 *
 * <p>Threading: immutable once built; safe to hand to other threads.
 */
final class PackedChunkRefs extends AbstractList<ChunkRef> implements RandomAccess {
    private final byte[] packed;
    private final int size;

    private PackedChunkRefs(byte[] packed, int size) {
        this.packed = packed;
        this.size = size;
    }

    /** Packs {@code refs} (read once, in order). */
    static PackedChunkRefs of(Iterator<ChunkRef> refs) {
        byte[] packed = new byte[ChunkRef.ENCODED_BYTES * 64];
        int size = 0;
        while (refs.hasNext()) {
            if ((size + 1) * ChunkRef.ENCODED_BYTES > packed.length) {
                packed = Arrays.copyOf(packed, packed.length * 2);
            }
            System.arraycopy(refs.next().encode(), 0, packed, size * ChunkRef.ENCODED_BYTES, ChunkRef.ENCODED_BYTES);
            size++;
        }
        return new PackedChunkRefs(Arrays.copyOf(packed, size * ChunkRef.ENCODED_BYTES), size);
    }

    @Override
    public ChunkRef get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("chunk " + index + " of " + size);
        }
        return ChunkRef.decode(Arrays.copyOfRange(packed, index * ChunkRef.ENCODED_BYTES,
                (index + 1) * ChunkRef.ENCODED_BYTES));
    }

    @Override
    public int size() {
        return size;
    }
}
