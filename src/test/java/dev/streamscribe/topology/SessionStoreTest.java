package dev.streamscribe.topology;

import dev.streamscribe.records.UpgradeFixtures;
import dev.streamscribe.topology.SessionSchedule.Kind;
import dev.streamscribe.topology.SessionState.Status;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session store keeps its schedule in step with every status change, and builds it once for older stores. */
class SessionStoreTest {
    private static final SessionStore.Timing TIMING = new SessionStore.Timing(Duration.ofMinutes(10),
            Duration.ofHours(24), Duration.ofHours(24), Optional.of(Duration.ofHours(1)));

    private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
    private KeyValueStore<String, SessionState> states;
    private KeyValueStore<Bytes, byte[]> scheduleStore;

    @BeforeEach
    void stores() {
        states = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.SESSION_STATE), Serdes.String(),
                new SessionStateSerde()).withLoggingDisabled().build();
        scheduleStore = countingWrites(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(
                StoreNames.SESSION_SCHEDULE), Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build());
        KeyValueStore<Bytes, byte[]> index = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(
                StoreNames.CHUNK_INDEX), Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build();
        KeyValueStore<Bytes, byte[]> turns = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(
                StoreNames.TURN_RESULTS), Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build();
        for (KeyValueStore<?, ?> store : List.of(states, scheduleStore, index, turns)) {
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
    }

    /** Writes (puts and deletes) to the schedule store so far. */
    private long scheduleWrites;

    @SuppressWarnings("unchecked")
    private KeyValueStore<Bytes, byte[]> countingWrites(KeyValueStore<Bytes, byte[]> store) {
        return (KeyValueStore<Bytes, byte[]>) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{KeyValueStore.class}, (proxy, method, args) -> {
                    if (List.of("put", "delete", "putIfAbsent", "putAll").contains(method.getName())) {
                        scheduleWrites++;
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static SessionState assembling() {
        return SessionState.empty().newRun(SessionState.encode(UpgradeFixtures.transcriptionOnly()), "r2-a")
                .touched(1_000, 2_000);
    }

    private List<String> scheduled(SessionStore store, Kind kind) {
        return store.schedule().due(kind, Long.MAX_VALUE, Integer.MAX_VALUE).stream()
                .map(SessionSchedule.Entry::sessionId).toList();
    }

    @Test
    void aStoreWrittenBeforeTheScheduleExistedGetsItsScheduleFromOneScan() {
        states.put("waiting", assembling().withChunk(0, true).ready());
        states.put("in-flight", assembling().withChunk(0, true).ready().admitted());
        states.put("assembling", assembling());
        states.put("finished", assembling().withChunk(0, true).finished());

        SessionStore store = SessionStore.open(context, TIMING);

        assertEquals(List.of("in-flight", "waiting"), scheduled(store, Kind.DISPATCH));
        assertEquals(List.of("assembling"), scheduled(store, Kind.STREAM_EXPIRY));
        assertEquals(List.of("finished"), scheduled(store, Kind.PURGE));
        assertEquals(1_000 + Duration.ofHours(1).toMillis(),
                store.schedule().due(Kind.PURGE, Long.MAX_VALUE, 1).getFirst().dueMs(), "last input + audio retention");
    }

    @Test
    void theScanHappensOnlyOnce() {
        SessionStore.open(context, TIMING);
        states.put("written-behind-its-back", assembling().withChunk(0, true).ready());
        SessionStore reopened = SessionStore.open(context, TIMING);
        assertEquals(List.of(), scheduled(reopened, Kind.DISPATCH), "a built schedule is trusted, not rebuilt");
    }

    @Test
    void everyStatusChangeSchedulesWhatTheNewStatusNeeds() {
        SessionStore store = SessionStore.open(context, TIMING);
        SessionState state = assembling();
        store.put("s1", state);
        assertEquals(List.of("s1"), scheduled(store, Kind.WALL_EXPIRY));
        state = state.withChunk(0, true).ready();
        store.put("s1", state);
        assertEquals(List.of("s1"), scheduled(store, Kind.DISPATCH));
        state = state.admitted();
        store.put("s1", state);
        assertEquals(List.of("s1"), scheduled(store, Kind.DISPATCH));
        store.put("s1", state.finished());
        assertEquals(List.of(), scheduled(store, Kind.DISPATCH), "finished: nothing to dispatch");
        assertEquals(List.of("s1"), scheduled(store, Kind.PURGE));
    }

    @Test
    void admissionKeepsTheDispatchEntryWithoutWritingItAgain() {
        SessionStore store = SessionStore.open(context, TIMING);
        SessionState ready = assembling().withChunk(0, true).ready();
        store.put("s1", ready);
        List<byte[]> keysBefore = scheduleKeys();
        long writes = scheduleWrites;
        store.put("s1", ready.admitted());
        assertEquals(writes, scheduleWrites, "READY -> IN_FLIGHT needs no schedule write (each one is a changelog record)");
        assertEquals(keysBefore.size(), scheduleKeys().size());
        assertEquals(List.of("s1"), scheduled(store, Kind.DISPATCH));
    }

    private List<byte[]> scheduleKeys() {
        List<byte[]> keys = new java.util.ArrayList<>();
        try (var all = scheduleStore.all()) {
            all.forEachRemaining(entry -> keys.add(entry.key.get()));
        }
        return keys;
    }

    @Test
    void withInfiniteAudioRetentionFinishedSessionsAreKeptAndNeverScheduled() {
        SessionStore store = SessionStore.open(context, new SessionStore.Timing(Duration.ofMinutes(10), Duration.ofHours(24),
                Duration.ofHours(24), Optional.empty()));
        store.put("s1", assembling().withChunk(0, true).finished());
        assertEquals(List.of(), scheduled(store, Kind.PURGE));
        assertEquals(Status.FINISHED, store.get("s1").orElseThrow().status());
    }

    @Test
    void unfinishedSessionsAreCountedFromTheScheduleNotFromEverySessionKnown() {
        SessionStore store = SessionStore.open(context, TIMING);
        store.put("assembling", assembling());
        store.put("ready", assembling().withChunk(0, true).ready());
        for (int i = 0; i < 50; i++) {
            store.put("finished-" + i, assembling().withChunk(0, true).finished());
        }
        store.put("was-assembling", assembling());
        store.put("was-assembling", assembling().finished()); // its expiry entries linger until read: not counted
        assertEquals(2, SessionSchedule.countUnfinished(scheduleStore, states));
        assertTrue(scheduled(store, Kind.STREAM_EXPIRY).contains("was-assembling"), "the lingering entry the count skips");
    }

    @Test
    void deletingASessionRemovesItsStateItsChunksAndItsDispatchEntry() {
        SessionStore store = SessionStore.open(context, TIMING);
        store.chunks().put("s1", new ChunkRef(0, 0, 42, 4, new byte[ChunkRef.DIGEST_BYTES], 0, true, true));
        store.put("s1", assembling().withChunk(0, true).ready());
        store.delete("s1");
        assertTrue(store.get("s1").isEmpty());
        assertEquals(List.of(), store.chunks().snapshot("s1"));
        assertEquals(List.of(), scheduled(store, Kind.DISPATCH));
    }
}
