package dev.streamscribe.topology;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Where one audio chunk is (claim check): its topic partition and offset, its audio length and digest, and its
 * turn flags. The audio itself stays in the audio topic; this small entry is all the {@code chunk-index} store
 * keeps per chunk.
 *
 * @param digest first 16 bytes of the SHA-256 of the audio: equal digests mean a duplicate, different ones a conflict
 */
public record ChunkRef(long seq, int partition, long offset, int length, byte[] digest, int turnIndex,
                       boolean endOfTurn, boolean endOfSession) {
    static final int DIGEST_BYTES = 16;
    static final int ENCODED_BYTES = 8 + 4 + 8 + 4 + DIGEST_BYTES + 4 + 1;

    /** The digest of {@code audio} (position and limit untouched). */
    public static byte[] digestOf(ByteBuffer audio) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(audio.duplicate());
            return Arrays.copyOf(sha.digest(), DIGEST_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public boolean sameAudio(ChunkRef other) {
        return length == other.length && Arrays.equals(digest, other.digest);
    }

    byte[] encode() {
        ByteBuffer buffer = ByteBuffer.allocate(ENCODED_BYTES);
        buffer.putLong(seq).putInt(partition).putLong(offset).putInt(length).put(digest).putInt(turnIndex)
                .put((byte) ((endOfTurn ? 1 : 0) | (endOfSession ? 2 : 0)));
        return buffer.array();
    }

    static ChunkRef decode(byte[] bytes) {
        if (bytes.length != ENCODED_BYTES) {
            throw new IllegalStateException("chunk-index entry has " + bytes.length + " bytes, expected " + ENCODED_BYTES);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long seq = buffer.getLong();
        int partition = buffer.getInt();
        long offset = buffer.getLong();
        int length = buffer.getInt();
        byte[] digest = new byte[DIGEST_BYTES];
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
