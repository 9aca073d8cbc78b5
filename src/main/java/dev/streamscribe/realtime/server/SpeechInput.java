package dev.streamscribe.realtime.server;

import dev.streamscribe.audio.AudioEncoding;

import java.util.Optional;

/**
 * One committed turn to transcribe.
 *
 * @param audio  the turn's bytes in {@code format}
 * @param format pcm16 (24 kHz mono little-endian) or G.711 (8 kHz)
 * @param model  the transcription model the client asked for (engines may ignore it)
 */
public record SpeechInput(byte[] audio, AudioEncoding format, String model, Optional<String> language,
                          Optional<String> prompt) {
    /** Milliseconds of audio in this turn. */
    public long durationMs() {
        return format.millisOf(audio.length);
    }
}
