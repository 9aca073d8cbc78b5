package dev.streamscribe.registry;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.testing.InMemoryRegistryClient;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Records of changing sizes through one serializer: its buffer sized from earlier records never shows in the bytes. */
class ConfluentAvroSerializerTest {
    private final InMemoryRegistryClient registry = new InMemoryRegistryClient();
    private final ConfluentAvroSerializer<AudioChunk> serializer = new ConfluentAvroSerializer<>(registry, false);
    private final ConfluentAvroDeserializer<AudioChunk> deserializer =
            ConfluentAvroDeserializer.forSpecific(registry, AudioChunk.class);

    private static AudioChunk chunk(long seq, int bytes) {
        byte[] audio = new byte[bytes];
        new Random(seq).nextBytes(audio);
        return AudioChunk.newBuilder().setSessionId("s").setSeq(seq).setTurnIndex(0).setAudio(ByteBuffer.wrap(audio))
                .setEndOfTurn(false).setEndOfSession(false).setProducedAtMs(1L).build();
    }

    @Test
    void everyRecordRoundTripsWhateverSizeCameBeforeIt() {
        int[] sizes = {262_144, 262_144, 12, 262_144, 300_000, 4_800, 300_000, 0};
        int previousLength = 0;
        for (int i = 0; i < sizes.length; i++) {
            AudioChunk chunk = chunk(i, sizes[i]);
            byte[] bytes = serializer.serialize("audio", chunk);
            assertEquals(chunk, deserializer.deserialize("audio", bytes), "record " + i);
            if (i > 0 && sizes[i] == sizes[i - 1]) {
                assertEquals(previousLength, bytes.length, "the same record size gives the same length");
            }
            previousLength = bytes.length;
        }
    }
}
