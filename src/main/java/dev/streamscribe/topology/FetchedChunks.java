package dev.streamscribe.topology;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Audio records the {@link AudioReader} fetched but was not asked for yet: a fetch returns what follows the wanted
 * record in its partition (other sessions' chunks when short sessions interleave, or the session's own next
 * chunks), and reading those again later cost a second fetch of the same bytes (the bench's profile at 1,000
 * sessions in flight: the readers' threads were 18 % of the pipeline's CPU, most of it fetching and checking bytes
 * they then threw away). Bounded by bytes, oldest first out; an entry is handed out once (a chunk is read once per
 * connection) and checked against its claim check like any read, so a stale entry can cost a fetch, never wrong
 * audio.
 *
 * <p>Threading: thread-safe (synchronized); shared by the readers' lanes, since the chunks one lane fetched are as
 * likely another lane's.
 */
final class FetchedChunks {
    private record Key(int partition, long offset) {
    }

    private final long maxBytes;
    private final LinkedHashMap<Key, byte[]> records = new LinkedHashMap<>();
    private long bytes;
    private long hits;

    FetchedChunks(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Keeps the record at {@code offset} of {@code partition} (its value bytes), evicting the oldest past the bound. */
    synchronized void keep(int partition, long offset, byte[] value) {
        if (value == null || value.length > maxBytes) {
            return;
        }
        byte[] previous = records.put(new Key(partition, offset), value);
        bytes += value.length - (previous == null ? 0 : previous.length);
        for (Iterator<Map.Entry<Key, byte[]>> it = records.entrySet().iterator(); bytes > maxBytes && it.hasNext(); ) {
            bytes -= it.next().getValue().length;
            it.remove();
        }
    }

    /** The record at {@code offset} of {@code partition}, if kept; it is handed out once. */
    synchronized Optional<byte[]> take(int partition, long offset) {
        byte[] value = records.remove(new Key(partition, offset));
        if (value == null) {
            return Optional.empty();
        }
        bytes -= value.length;
        hits++;
        return Optional.of(value);
    }

    /** Reads served from here instead of the broker, so far. */
    synchronized long hits() {
        return hits;
    }

    synchronized long bytes() {
        return bytes;
    }
}
