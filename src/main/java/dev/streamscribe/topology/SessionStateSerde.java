package dev.streamscribe.topology;

import dev.streamscribe.topology.SessionState.Status;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Binary form of {@link SessionState} for the {@code session-state} store and its changelog, version byte first.
 * Every version ever written stays readable (captured bytes in {@code src/test/resources/fixtures/v1/} to
 * {@code v3/} are checked by a test):
 * <ul>
 *   <li>4 (written now): version 3, then the run's connection count and crash-loop count. Older versions read
 *   connections as the attempt count and the crash loop as 0.</li>
 *   <li>3: version 2, then the run's start timestamp (the age limit counts from it).</li>
 *   <li>2: the config as {@code SessionConfigCodec} encodes it (readable with any released schema), the run token,
 *   the status <b>by name</b>, then the counters. The run's start is read as its last input's timestamp (later than
 *   the true start, so the age limit never fires early on upgraded state).</li>
 *   <li>1: as 2, but the status as the ordinal of {@link #V1_STATUSES}.</li>
 * </ul>
 * A new field is added as a new version; readers of older versions fill it with its default.
 *
 * <p>Threading: stateless.
 */
public final class SessionStateSerde implements Serde<SessionState> {
    private static final byte VERSION = 4;
    /** Version 1 stored the status by ordinal in this order; never change it. */
    static final List<Status> V1_STATUSES = List.of(Status.ASSEMBLING, Status.READY, Status.IN_FLIGHT, Status.FINISHED,
            Status.EXPIRED);

    @Override
    public Serializer<SessionState> serializer() {
        return (topic, state) -> {
            if (state == null) {
                return null;
            }
            byte[] token = state.runToken().getBytes(StandardCharsets.UTF_8);
            byte[] status = state.status().name().getBytes(StandardCharsets.US_ASCII);
            ByteBuffer buffer = ByteBuffer.allocate(1 + 4 + state.config().length + 4 + token.length + 1 + status.length
                    + 8 * 6 + 4 + 8 + 4 + 4);
            buffer.put(VERSION).putInt(state.config().length).put(state.config()).putInt(token.length).put(token)
                    .put((byte) status.length).put(status).putLong(state.chunks()).putLong(state.maxSeq())
                    .putLong(state.endSeq()).putLong(state.duplicates()).putLong(state.lastRecordTimestamp())
                    .putLong(state.lastTouchedWallMs()).putInt(state.attempt()).putLong(state.runStartTimestamp())
                    .putInt(state.connections()).putInt(state.crashLoop());
            return buffer.array();
        };
    }

    @Override
    public Deserializer<SessionState> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            byte version = buffer.get();
            if (version < 1 || version > VERSION) {
                throw new IllegalStateException("session-state entry of version " + version + "; this build reads 1 to "
                        + VERSION + " (written by a newer streamscribe?)");
            }
            byte[] config = new byte[buffer.getInt()];
            buffer.get(config);
            byte[] token = new byte[buffer.getInt()];
            buffer.get(token);
            Status status = version == 1 ? V1_STATUSES.get(buffer.get()) : statusByName(buffer);
            long chunks = buffer.getLong();
            long maxSeq = buffer.getLong();
            long endSeq = buffer.getLong();
            long duplicates = buffer.getLong();
            long lastRecord = buffer.getLong();
            long lastTouched = buffer.getLong();
            int attempt = buffer.getInt();
            long runStart = version >= 3 ? buffer.getLong() : lastRecord;
            int connections = version >= 4 ? buffer.getInt() : attempt;
            int crashLoop = version >= 4 ? buffer.getInt() : 0;
            return new SessionState(config, new String(token, StandardCharsets.UTF_8), status, chunks, maxSeq, endSeq,
                    duplicates, lastRecord, lastTouched, attempt, runStart, connections, crashLoop);
        };
    }

    private static Status statusByName(ByteBuffer buffer) {
        byte[] name = new byte[buffer.get()];
        buffer.get(name);
        return Status.valueOf(new String(name, StandardCharsets.US_ASCII));
    }
}
