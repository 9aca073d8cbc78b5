package dev.streamscribe.topology;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chunk index's entries: both stored versions read back, and a chunk arriving again is judged by its entry's digest. */
class ChunkRefTest {
    private static final byte[] AUDIO = {1, 2, 3, 4, 5, 6};
    /**
     * seq 3, partition 1, offset 42, 6 bytes of {@link #AUDIO}, turn 0, ending its turn and session, as the build
     * before version 2 wrote it (ChunkRef.encode at 1655d9b; checked against that code before it changed).
     */
    static final String VERSION_1 = "000000000000000300000001000000000000002a000000067192385c3c0605de55bb9476ce1d90740000000003";

    private static ChunkRef version2() {
        return new ChunkRef(3, 1, 42, 6, ChunkRef.digestOf(ByteBuffer.wrap(AUDIO)), 0, true, true);
    }

    @Test
    void aVersion1EntryStillReadsWithItsSha256Digest() {
        ChunkRef ref = ChunkRef.decode(HexFormat.of().parseHex(VERSION_1));
        assertEquals(new ChunkRef(3, 1, 42, 6, ChunkRef.version1DigestOf(ByteBuffer.wrap(AUDIO)), 0, true, true), ref);
        assertArrayEquals(HexFormat.of().parseHex(VERSION_1), ref.encode(), "kept in its own version when written again");
    }

    @Test
    void aVersion1EntryJudgesAChunkArrivingAgainBySha256() {
        ChunkRef ref = ChunkRef.decode(HexFormat.of().parseHex(VERSION_1));
        assertTrue(ref.holds(ByteBuffer.wrap(AUDIO)));
        assertFalse(ref.holds(ByteBuffer.wrap(new byte[]{1, 2, 3, 4, 5, 7})));
    }

    @Test
    void newEntriesAreVersion2AndReadBack() {
        byte[] encoded = version2().encode();
        assertEquals(ChunkRef.ENCODED_BYTES, encoded.length);
        assertEquals(2, encoded[0]);
        assertEquals(version2(), ChunkRef.decode(encoded));
    }

    @Test
    void theSameAudioIsHeldAndAnyOtherIsNot() {
        ChunkRef ref = version2();
        assertTrue(ref.holds(ByteBuffer.wrap(AUDIO.clone())));
        assertFalse(ref.holds(ByteBuffer.wrap(new byte[]{1, 2, 3, 4, 5, 7})), "one bit changed");
        assertFalse(ref.holds(ByteBuffer.wrap(new byte[]{2, 1, 3, 4, 5, 6})), "two bytes swapped");
        assertFalse(ref.holds(ByteBuffer.wrap(new byte[]{1, 2, 3, 4, 5})), "shorter");
    }

    @Test
    void judgingAChunkLeavesItsBufferAsItWas() {
        ByteBuffer audio = ByteBuffer.wrap(new byte[]{9, 1, 2, 3, 4, 5, 6}).position(1);
        assertTrue(version2().holds(audio));
        assertEquals(1, audio.position());
        assertEquals(6, audio.remaining());
    }

    @Test
    void anEntryOfAnUnknownFormIsRefusedNamingTheKnownOnes() {
        byte[] newer = version2().encode();
        newer[0] = 3;
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> ChunkRef.decode(newer));
        assertTrue(refused.getMessage().contains("version 2: 38 bytes starting with 2, version 1: 45 bytes"),
                refused.getMessage());
        assertThrows(IllegalStateException.class, () -> ChunkRef.decode(new byte[46]));
    }

    @Test
    void aDigestOfAnotherSizeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ChunkRef(0, 0, 0, 6, new byte[32], 0, false, false));
    }
}
