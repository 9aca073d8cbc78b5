package dev.streamscribe.client;

import dev.streamscribe.audio.AudioEncoding;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionSpecTest {
    private static String refused(SessionSpec.Builder builder) {
        return assertThrows(IllegalArgumentException.class, builder::build).getMessage();
    }

    @Test
    void defaultsToTranscriptionOnlyPcm16WholeTurnsAndTheLargestChunks() {
        SessionSpec spec = SessionSpec.builder("call-1").build();
        assertEquals(SessionSpec.DEFAULT_TRANSCRIPTION_MODEL, spec.config().getTranscription().getModel());
        assertEquals(AudioEncoding.PCM16, spec.encoding());
        assertEquals(AudioEncoding.MAX_CHUNK_BYTES, spec.chunkBytes());
        assertTrue(spec.runToken().isEmpty(), "the run token defaults to the request's hash, made when it opens");
    }

    @Test
    void refusesBlankOrControlCharacterIdsAndTokens() {
        assertTrue(refused(SessionSpec.builder(" ")).contains("session id must not be blank"));
        assertTrue(refused(SessionSpec.builder("a\u0000b")).contains("control characters"));
        assertTrue(refused(SessionSpec.builder("call-1").runToken("")).contains("run token must not be blank"));
        assertTrue(refused(SessionSpec.builder("x".repeat(257))).contains("at most 256"));
    }

    @Test
    void refusesChunksOutsideOneTo256KiB() {
        assertTrue(refused(SessionSpec.builder("call-1").chunkBytes(512)).contains("between 1 and 256 KiB"));
        assertTrue(refused(SessionSpec.builder("call-1").chunkBytes(257 * 1024)).contains("between 1 and 256 KiB"));
    }
}
