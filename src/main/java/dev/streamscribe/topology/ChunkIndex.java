package dev.streamscribe.topology;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code chunk-index} store seen as (session id, seq) -> {@link ChunkRef}: one small entry per chunk, keys
 * laid out so that a session's chunks are one contiguous range in seq order (2-byte id length, id, 8-byte seq).
 * No entry grows with the session, so no changelog record does either.
 */
public final class ChunkIndex {
    private final KeyValueStore<Bytes, byte[]> store;

    public ChunkIndex(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    static Bytes key(String sessionId, long seq) {
        byte[] id = sessionId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(2 + id.length + 8).putShort((short) id.length).put(id).putLong(seq).array());
    }

    /** The session id of a key of this store (as its changelog carries it). */
    public static String sessionIdOf(byte[] key) {
        ByteBuffer buffer = ByteBuffer.wrap(key);
        int length = buffer.getShort() & 0xFFFF;
        return new String(key, 2, length, StandardCharsets.UTF_8);
    }

    /** The audio bytes of the chunk a value of this store (as its changelog carries it) refers to. */
    public static int audioBytesOf(byte[] value) {
        return ChunkRef.decode(value).length();
    }

    public Optional<ChunkRef> get(String sessionId, long seq) {
        return Optional.ofNullable(store.get(key(sessionId, seq))).map(ChunkRef::decode);
    }

    public void put(String sessionId, ChunkRef ref) {
        store.put(key(sessionId, ref.seq()), ref.encode());
    }

    public void delete(String sessionId, long seq) {
        store.delete(key(sessionId, seq));
    }

    /**
     * Deletes every chunk entry of the session, as it reads them (a store iterator reads a snapshot: deleting behind
     * it is safe in RocksDB and in the in-memory store).
     */
    public void deleteAll(String sessionId) {
        try (KeyValueIterator<Bytes, byte[]> range = store.range(key(sessionId, 0), key(sessionId, Long.MAX_VALUE))) {
            range.forEachRemaining(entry -> store.delete(entry.key));
        }
    }

    /**
     * Reads the session's chunks in seq order as a stream: {@code reader} gets an iterator over the store's range,
     * open only while it runs, so no caller holds the whole index as objects.
     */
    public <T> T read(String sessionId, Function<Iterator<ChunkRef>, T> reader) {
        try (KeyValueIterator<Bytes, byte[]> range = store.range(key(sessionId, 0), key(sessionId, Long.MAX_VALUE))) {
            return reader.apply(new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return range.hasNext();
                }

                @Override
                public ChunkRef next() {
                    return ChunkRef.decode(range.next().value);
                }
            });
        }
    }

    /**
     * The session's chunks in seq order, packed into one array ({@link PackedChunkRefs}): for handing to another
     * thread (the audio reader), which cannot read the store.
     */
    public List<ChunkRef> snapshot(String sessionId) {
        return read(sessionId, PackedChunkRefs::of);
    }
}
