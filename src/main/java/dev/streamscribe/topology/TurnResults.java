package dev.streamscribe.topology;

import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.avro.Usage;
import dev.streamscribe.avro.UsageKind;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code turn-results} store: which turns of a run already have their TranscriptionEvent (turn checkpoints), with
 * what the run's SessionResult sums over them (status, usage). Keyed (session, run, turn) so that one session's
 * entries are one range and one run's a sub-range; a set, not a high-water mark, since turns may finish out of order.
 * Values carry a version byte and enums by name (docs/operations.md section 5).
 *
 * <p>Threading: a view of one task's store; the stream thread only.
 */
final class TurnResults {
    private static final byte VERSION = 1;

    /** What a checkpointed turn contributes to its run's SessionResult. */
    record Recorded(TurnStatus status, Optional<Usage> usage) {
    }

    private final KeyValueStore<Bytes, byte[]> store;

    TurnResults(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    boolean has(String sessionId, String runToken, int turnIndex) {
        return store.get(key(sessionId, runToken, turnIndex)) != null;
    }

    void put(String sessionId, String runToken, int turnIndex, Recorded recorded) {
        store.put(key(sessionId, runToken, turnIndex), encode(recorded));
    }

    /** The run's checkpointed turns, by turn index. */
    Map<Integer, Recorded> ofRun(String sessionId, String runToken) {
        Map<Integer, Recorded> turns = new HashMap<>();
        try (KeyValueIterator<Bytes, byte[]> range = store.range(key(sessionId, runToken, 0),
                key(sessionId, runToken, Integer.MAX_VALUE))) {
            range.forEachRemaining(entry -> {
                byte[] key = entry.key.get();
                turns.put(ByteBuffer.wrap(key, key.length - 4, 4).getInt(), decode(entry.value));
            });
        }
        return turns;
    }

    /** Deletes every run's entries of the session (with the session's state, at its purge). */
    void deleteSession(String sessionId) {
        byte[] id = sessionId.getBytes(StandardCharsets.UTF_8);
        Bytes from = Bytes.wrap(ByteBuffer.allocate(2 + id.length).putShort((short) id.length).put(id).array());
        Bytes to = Bytes.wrap(ByteBuffer.allocate(2 + id.length + 1).putShort((short) id.length).put(id).put((byte) 0xFF)
                .array());
        try (KeyValueIterator<Bytes, byte[]> range = store.range(from, to)) {
            range.forEachRemaining(entry -> store.delete(entry.key));
        }
    }

    static Bytes key(String sessionId, String runToken, int turnIndex) {
        byte[] id = sessionId.getBytes(StandardCharsets.UTF_8);
        byte[] run = runToken.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(2 + id.length + 2 + run.length + 4).putShort((short) id.length).put(id)
                .putShort((short) run.length).put(run).putInt(turnIndex).array());
    }

    static byte[] encode(Recorded recorded) {
        byte[] status = recorded.status().name().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buffer = ByteBuffer.allocate(1 + 1 + status.length + 1 + 16 + 8 * 8 + 8);
        buffer.put(VERSION).put((byte) status.length).put(status);
        if (recorded.usage().isEmpty()) {
            buffer.put((byte) 0);
        } else {
            Usage usage = recorded.usage().get();
            byte[] kind = usage.getKind().name().getBytes(StandardCharsets.US_ASCII);
            buffer.put((byte) 1).put((byte) kind.length).put(kind).putLong(usage.getInputTokens())
                    .putLong(usage.getOutputTokens()).putLong(usage.getTotalTokens()).putLong(usage.getInputTextTokens())
                    .putLong(usage.getInputAudioTokens()).putLong(usage.getInputCachedTokens())
                    .putLong(usage.getOutputTextTokens()).putLong(usage.getOutputAudioTokens())
                    .putDouble(usage.getDurationSeconds());
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    static Recorded decode(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        byte version = buffer.get();
        if (version != VERSION) {
            throw new IllegalStateException("turn-results entry of version " + version + "; this build reads " + VERSION
                    + " (written by a newer streamscribe?)");
        }
        TurnStatus status = TurnStatus.valueOf(name(buffer));
        if (buffer.get() == 0) {
            return new Recorded(status, Optional.empty());
        }
        UsageKind kind = UsageKind.valueOf(name(buffer));
        return new Recorded(status, Optional.of(Usage.newBuilder().setKind(kind).setInputTokens(buffer.getLong())
                .setOutputTokens(buffer.getLong()).setTotalTokens(buffer.getLong()).setInputTextTokens(buffer.getLong())
                .setInputAudioTokens(buffer.getLong()).setInputCachedTokens(buffer.getLong())
                .setOutputTextTokens(buffer.getLong()).setOutputAudioTokens(buffer.getLong())
                .setDurationSeconds(buffer.getDouble()).build()));
    }

    private static String name(ByteBuffer buffer) {
        byte[] name = new byte[buffer.get()];
        buffer.get(name);
        return new String(name, StandardCharsets.US_ASCII);
    }
}
