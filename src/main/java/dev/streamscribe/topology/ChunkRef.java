package dev.streamscribe.topology;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Where one audio chunk is (claim check): its topic partition and offset, its audio length and digest, and its
 * turn flags. The audio itself stays in the audio topic; this small entry is all the {@code chunk-index} store
 * keeps per chunk.
 *
 * <p>The digest only tells a chunk that arrives again with the same seq from a conflicting one: an exact duplicate
 * is absorbed (its claim check moves to the newer copy), other bytes are CONFLICTING_DUPLICATE. It is the CRC32C and
 * the CRC32 of the audio, 8 bytes (version 2 entries): two checksums of different polynomials, each catching every
 * change of up to 32 consecutive bits, both missing a random change about once in 2^64; both are JDK intrinsics,
 * about 30 GB/s here, where the SHA-256 it replaces ran at 1.4 GB/s and was a tenth of the pipeline's CPU samples
 * when 1,000 sessions arrived at once. It is not proof against a producer crafting a collision, and need not be:
 * whoever can write the audio topic can publish any audio first. Entries written before version 2 keep the first
 * 16 bytes of their SHA-256 and are judged by a SHA-256 of the chunk that arrives again ({@link #holds}).
 *
 * @param digest {@link #DIGEST_BYTES} bytes ({@link #digestOf}), or {@link #VERSION_1_DIGEST_BYTES} in an entry
 *               written before version 2
 */
public record ChunkRef(long seq, int partition, long offset, int length, byte[] digest, int turnIndex,
                       boolean endOfTurn, boolean endOfSession) {
    static final int DIGEST_BYTES = 8;
    static final int VERSION_1_DIGEST_BYTES = 16;
    /** Version 2 starts with its version byte; version 1 had none (its first byte is seq's highest, always 0). */
    private static final byte VERSION_2 = 2;
    static final int ENCODED_BYTES = 1 + 8 + 4 + 8 + 4 + DIGEST_BYTES + 4 + 1;
    static final int VERSION_1_ENCODED_BYTES = 8 + 4 + 8 + 4 + VERSION_1_DIGEST_BYTES + 4 + 1;
    /** The longest encoding this build reads or writes. */
    static final int MAX_ENCODED_BYTES = VERSION_1_ENCODED_BYTES;

    public ChunkRef {
        if (digest.length != DIGEST_BYTES && digest.length != VERSION_1_DIGEST_BYTES) {
            throw new IllegalArgumentException("a chunk digest has " + DIGEST_BYTES + " bytes (or "
                    + VERSION_1_DIGEST_BYTES + " in a version 1 entry), not " + digest.length);
        }
    }

    /** The digest of {@code audio} (position and limit untouched): its CRC32C, then its CRC32. */
    public static byte[] digestOf(ByteBuffer audio) {
        CRC32C crc32c = new CRC32C();
        crc32c.update(audio.duplicate());
        CRC32 crc32 = new CRC32();
        crc32.update(audio.duplicate());
        return ByteBuffer.allocate(DIGEST_BYTES).putInt((int) crc32c.getValue()).putInt((int) crc32.getValue()).array();
    }

    /** What a version 1 entry holds as digest: the first 16 bytes of the SHA-256 of {@code audio}. */
    static byte[] version1DigestOf(ByteBuffer audio) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(audio.duplicate());
            return Arrays.copyOf(sha.digest(), VERSION_1_DIGEST_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Whether {@code audio} is the audio this entry indexed: the same length and digest (of this entry's kind). */
    public boolean holds(ByteBuffer audio) {
        if (audio.remaining() != length) {
            return false;
        }
        return Arrays.equals(digest, digest.length == DIGEST_BYTES ? digestOf(audio) : version1DigestOf(audio));
    }

    /** The store's bytes: version 2, or version 1 for an entry read in that form (its digest cannot be converted). */
    byte[] encode() {
        boolean version1 = digest.length == VERSION_1_DIGEST_BYTES;
        ByteBuffer buffer = ByteBuffer.allocate(version1 ? VERSION_1_ENCODED_BYTES : ENCODED_BYTES);
        if (!version1) {
            buffer.put(VERSION_2);
        }
        buffer.putLong(seq).putInt(partition).putLong(offset).putInt(length).put(digest).putInt(turnIndex)
                .put((byte) ((endOfTurn ? 1 : 0) | (endOfSession ? 2 : 0)));
        return buffer.array();
    }

    /**
     * An entry of either version. Any other form (a newer build's) fails loudly rather than being misread: a
     * downgrade past a release that changed a stored format is not supported (docs/operations.md section 5).
     */
    static ChunkRef decode(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int digestBytes;
        if (bytes.length == ENCODED_BYTES && bytes[0] == VERSION_2) {
            buffer.get();
            digestBytes = DIGEST_BYTES;
        } else if (bytes.length == VERSION_1_ENCODED_BYTES) {
            digestBytes = VERSION_1_DIGEST_BYTES;
        } else {
            throw new IllegalStateException("chunk-index entry of " + bytes.length + " bytes"
                    + (bytes.length > 0 ? " starting with " + bytes[0] : "") + " is not one this build reads (version 2: "
                    + ENCODED_BYTES + " bytes starting with " + VERSION_2 + ", version 1: " + VERSION_1_ENCODED_BYTES
                    + " bytes); was it written by a newer streamscribe?");
        }
        long seq = buffer.getLong();
        int partition = buffer.getInt();
        long offset = buffer.getLong();
        int length = buffer.getInt();
        byte[] digest = new byte[digestBytes];
        buffer.get(digest);
        int turn = buffer.getInt();
        byte flags = buffer.get();
        return new ChunkRef(seq, partition, offset, length, digest, turn, (flags & 1) != 0, (flags & 2) != 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkRef other && seq == other.seq && partition == other.partition && offset == other.offset
                && length == other.length && Arrays.equals(digest, other.digest) && turnIndex == other.turnIndex
                && endOfTurn == other.endOfTurn && endOfSession == other.endOfSession;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(offset) * 31 + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return "ChunkRef[seq=" + seq + ", " + partition + "@" + offset + ", " + length + " bytes, turn " + turnIndex
                + (endOfTurn ? ", end of turn" : "") + (endOfSession ? ", end of session" : "") + ", digest "
                + HexFormat.of().formatHex(digest) + "]";
    }
}
