package dev.streamscribe.realtime.server;

import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;

/**
 * Not speech recognition: a transcript derived from the audio bytes (their duration and CRC-32), so tests can
 * prove that the right audio reached the right turn, and bulk runs without a recognizer stay reproducible.
 */
public final class DeterministicSpeechEngine implements SpeechEngine {
    @Override
    public String name() {
        return "deterministic";
    }

    /** The transcript this engine gives for {@code input}. */
    public static String transcriptOf(SpeechInput input) {
        CRC32 crc = new CRC32();
        crc.update(input.audio());
        return String.format("%d ms of audio fingerprint %08x", input.durationMs(), crc.getValue());
    }

    @Override
    public CompletableFuture<String> transcribe(SpeechInput input) {
        return CompletableFuture.completedFuture(transcriptOf(input));
    }
}
