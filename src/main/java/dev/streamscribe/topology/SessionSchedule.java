package dev.streamscribe.topology;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code session-schedule} store: which sessions need attention, and when, so that the punctuators and the
 * start-up read what is due instead of every session ever seen (docs/architecture.md section 4, "Work that follows
 * what is due"). Keys are (kind, due time, session id) in that byte order, so one kind's entries up to a time are
 * one range scan; values are empty.
 *
 * <p>Entries are hints, never the truth: whoever reads one checks the session's state and either acts, drops the
 * entry (the session moved on) or moves it to the session's real due time. That keeps the hot path cheap: a session
 * gets its expiry entries once, when it starts assembling, not on every chunk that pushes its deadline back.
 *
 * <p>Threading: a view of one task's store; used by that task's stream thread only.
 */
final class SessionSchedule {
    /** What an entry asks for. The byte is the key's first byte: never change one. */
    enum Kind {
        /** READY or IN_FLIGHT: to be dispatched (again, after a restore). Due time 0. */
        DISPATCH((byte) 'd'),
        /** ASSEMBLING: expires when stream time passes this (last record timestamp + idle timeout). */
        STREAM_EXPIRY((byte) 's'),
        /** ASSEMBLING: expires when the wall clock passes this (last input processed + idle timeout). */
        WALL_EXPIRY((byte) 'w'),
        /** Has its result: its state and chunk index go once its audio has left the audio topic. */
        PURGE((byte) 'p');

        private final byte prefix;

        Kind(byte prefix) {
            this.prefix = prefix;
        }
    }

    /** One entry: {@code sessionId} needs {@code kind} at {@code dueMs}. */
    record Entry(Kind kind, long dueMs, String sessionId) {
    }

    /** Written once the schedule holds every session of the store (built from a full scan after an upgrade). */
    private static final Bytes BUILT_MARKER = Bytes.wrap(new byte[]{0, 'v', '1'});
    private static final byte[] EMPTY = new byte[0];

    private final KeyValueStore<Bytes, byte[]> store;

    SessionSchedule(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    void add(Kind kind, long dueMs, String sessionId) {
        store.put(key(kind, dueMs, sessionId), EMPTY);
    }

    void remove(Entry entry) {
        store.delete(key(entry.kind(), entry.dueMs(), entry.sessionId()));
    }

    /**
     * Up to {@code limit} entries of {@code kind} due at or before {@code upToMs}, earliest first. Read into a list
     * so that the caller may change the store while acting on them.
     */
    List<Entry> due(Kind kind, long upToMs, int limit) {
        return due(store, kind, upToMs, limit);
    }

    boolean built() {
        return store.get(BUILT_MARKER) != null;
    }

    void markBuilt() {
        store.put(BUILT_MARKER, EMPTY);
    }

    static List<Entry> due(ReadOnlyKeyValueStore<Bytes, byte[]> store, Kind kind, long upToMs, int limit) {
        List<Entry> entries = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> range = store.range(Bytes.wrap(new byte[]{kind.prefix}),
                Bytes.wrap(new byte[]{(byte) (kind.prefix + 1)}))) {
            while (range.hasNext() && entries.size() < limit) {
                Entry entry = decode(kind, range.next().key.get());
                if (entry.dueMs() > upToMs) {
                    break;
                }
                entries.add(entry);
            }
        }
        return entries;
    }

    /**
     * Sessions without a result for their current run (assembling, waiting, in flight), counted from the schedule:
     * the work is proportional to what is unfinished, not to every session known.
     */
    static long countUnfinished(ReadOnlyKeyValueStore<Bytes, byte[]> schedule,
                                ReadOnlyKeyValueStore<String, SessionState> states) {
        Set<String> unfinished = new HashSet<>();
        for (Kind kind : List.of(Kind.DISPATCH, Kind.STREAM_EXPIRY)) {
            for (Entry entry : due(schedule, kind, Long.MAX_VALUE, Integer.MAX_VALUE)) {
                SessionState state = states.get(entry.sessionId());
                if (state != null && !state.status().hasResult()) {
                    unfinished.add(entry.sessionId());
                }
            }
        }
        return unfinished.size();
    }

    static Bytes key(Kind kind, long dueMs, String sessionId) {
        byte[] id = sessionId.getBytes(StandardCharsets.UTF_8);
        // the sign bit flipped, so that byte order is numeric order for negative times too
        return Bytes.wrap(ByteBuffer.allocate(1 + 8 + id.length).put(kind.prefix).putLong(dueMs ^ Long.MIN_VALUE).put(id)
                .array());
    }

    private static Entry decode(Kind kind, byte[] key) {
        ByteBuffer buffer = ByteBuffer.wrap(key, 1, key.length - 1);
        long due = buffer.getLong() ^ Long.MIN_VALUE;
        return new Entry(kind, due, new String(key, 9, key.length - 9, StandardCharsets.UTF_8));
    }
}
