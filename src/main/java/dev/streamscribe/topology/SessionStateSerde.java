package dev.streamscribe.topology;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Binary form of {@link SessionState} for the {@code session-state} store and its changelog (version byte first). */
public final class SessionStateSerde implements Serde<SessionState> {
    private static final byte VERSION = 1;

    @Override
    public Serializer<SessionState> serializer() {
        return (topic, state) -> {
            if (state == null) {
                return null;
            }
            byte[] token = state.runToken().getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.allocate(1 + 4 + state.config().length + 4 + token.length + 1 + 8 * 6 + 4);
            buffer.put(VERSION).putInt(state.config().length).put(state.config()).putInt(token.length).put(token)
                    .put((byte) state.status().ordinal()).putLong(state.chunks()).putLong(state.maxSeq())
                    .putLong(state.endSeq()).putLong(state.duplicates()).putLong(state.lastRecordTimestamp())
                    .putLong(state.lastTouchedWallMs()).putInt(state.attempt());
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
            if (version != VERSION) {
                throw new IllegalStateException("session-state entry of version " + version + "; this build reads " + VERSION);
            }
            byte[] config = new byte[buffer.getInt()];
            buffer.get(config);
            byte[] token = new byte[buffer.getInt()];
            buffer.get(token);
            SessionState.Status status = SessionState.Status.values()[buffer.get()];
            return new SessionState(config, new String(token, StandardCharsets.UTF_8), status, buffer.getLong(),
                    buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getInt());
        };
    }
}
