package dev.streamscribe.topology;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.RandomAccess;

/**
 * A session's chunk references in seq order as one packed byte array (the store's own encoding of each chunk, in a
 * slot of {@link #SLOT_BYTES}: its length, then the bytes of either version), decoded on access: what a dispatched
 * session hands to the audio reader, which runs off the stream thread and cannot read the store itself. Half the
 * heap of a list of {@link ChunkRef} objects and one allocation instead of two per chunk; bounded by
 * {@code session.max-chunks} (200,000 chunks: 9 MB).
 *
 * <p>Threading: immutable once built; safe to hand to other threads.
 */
final class PackedChunkRefs extends AbstractList<ChunkRef> implements RandomAccess {
    /** A length byte and room for the longest encoding: entries of both versions may be in one session's index. */
    static final int SLOT_BYTES = 1 + ChunkRef.MAX_ENCODED_BYTES;

    private final byte[] packed;
    private final int size;

    private PackedChunkRefs(byte[] packed, int size) {
        this.packed = packed;
        this.size = size;
    }

    /** Packs {@code refs} (read once, in order). */
    static PackedChunkRefs of(Iterator<ChunkRef> refs) {
        byte[] packed = new byte[SLOT_BYTES * 64];
        int size = 0;
        while (refs.hasNext()) {
            if ((size + 1) * SLOT_BYTES > packed.length) {
                packed = Arrays.copyOf(packed, packed.length * 2);
            }
            byte[] encoded = refs.next().encode();
            packed[size * SLOT_BYTES] = (byte) encoded.length;
            System.arraycopy(encoded, 0, packed, size * SLOT_BYTES + 1, encoded.length);
            size++;
        }
        return new PackedChunkRefs(Arrays.copyOf(packed, size * SLOT_BYTES), size);
    }

    @Override
    public ChunkRef get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("chunk " + index + " of " + size);
        }
        int slot = index * SLOT_BYTES;
        return ChunkRef.decode(Arrays.copyOfRange(packed, slot + 1, slot + 1 + packed[slot]));
    }

    @Override
    public int size() {
        return size;
    }
}
