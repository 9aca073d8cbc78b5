package dev.streamscribe.realtime.server;

import java.util.concurrent.CompletableFuture;

/**
 * Turns a committed turn's audio into text for the local realtime server. A failed future becomes
 * {@code conversation.item.input_audio_transcription.failed} for that item (an {@code error} event in the Inworld
 * dialect); other sessions are unaffected.
 *
 * <p>Threading: implementations are called from many sessions at once and must be thread-safe; they should not
 * block the caller (run long work on their own threads).
 */
public interface SpeechEngine extends AutoCloseable {
    /** A short name for logs and the start-up banner, e.g. "deterministic" or "pocketsphinx". */
    String name();

    CompletableFuture<String> transcribe(SpeechInput input);

    @Override
    default void close() {
    }
}
