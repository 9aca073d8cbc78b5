package dev.streamscribe.topology;

import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.avro.AudioChunk;

import java.util.Optional;

/** Why a chunk is refused on its own, before anything is indexed: a DeadLetter reason and its message. */
record ChunkRejection(String reason, String message) {
    static Optional<ChunkRejection> of(String key, AudioChunk chunk) {
        if (key == null || !key.equals(chunk.getSessionId())) {
            return Optional.of(new ChunkRejection("KEY_MISMATCH", "chunk of session '" + chunk.getSessionId()
                    + "' arrived under key '" + key + "'"));
        }
        if (chunk.getSeq() < 0) {
            return Optional.of(new ChunkRejection("INVALID_SEQ", "seq " + chunk.getSeq() + " is negative"));
        }
        if (chunk.getTurnIndex() < 0) {
            return Optional.of(new ChunkRejection("INVALID_TURN_INDEX", "turn index " + chunk.getTurnIndex()
                    + " is negative"));
        }
        if (chunk.getAudio().remaining() > AudioEncoding.MAX_CHUNK_BYTES) {
            return Optional.of(new ChunkRejection("CHUNK_TOO_LARGE", "seq " + chunk.getSeq() + " carries "
                    + chunk.getAudio().remaining() + " bytes of audio; the limit is " + AudioEncoding.MAX_CHUNK_BYTES));
        }
        return Optional.empty();
    }
}
