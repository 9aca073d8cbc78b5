package dev.streamscribe.topology;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

    public Optional<ChunkRef> get(String sessionId, long seq) {
        return Optional.ofNullable(store.get(key(sessionId, seq))).map(ChunkRef::decode);
    }

    public void put(String sessionId, ChunkRef ref) {
        store.put(key(sessionId, ref.seq()), ref.encode());
    }

    public void delete(String sessionId, long seq) {
        store.delete(key(sessionId, seq));
    }

    /** Deletes every chunk entry of the session. */
    public void deleteAll(String sessionId) {
        List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> range = store.range(key(sessionId, 0), key(sessionId, Long.MAX_VALUE))) {
            range.forEachRemaining(entry -> keys.add(entry.key));
        }
        keys.forEach(store::delete);
    }

    /** The session's chunks in seq order. Sessions are bounded (hours of audio: thousands of entries). */
    public List<ChunkRef> chunksOf(String sessionId) {
        List<ChunkRef> refs = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> range = store.range(key(sessionId, 0), key(sessionId, Long.MAX_VALUE))) {
            range.forEachRemaining(entry -> refs.add(ChunkRef.decode(entry.value)));
        }
        return refs;
    }
}
