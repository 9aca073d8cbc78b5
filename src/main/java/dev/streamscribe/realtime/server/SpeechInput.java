package dev.streamscribe.realtime.server;

import java.util.Optional;

/**
 * One committed turn to transcribe.
 *
 * @param audio  the turn's bytes in {@code format}
 * @param format {@code pcm16} (24 kHz mono little-endian), {@code g711_ulaw} or {@code g711_alaw} (8 kHz)
 * @param model  the transcription model the client asked for (engines may ignore it)
 */
public record SpeechInput(byte[] audio, String format, String model, Optional<String> language,
                          Optional<String> prompt) {
    /** Milliseconds of audio in this turn. */
    public long durationMs() {
        return format.equals("pcm16") ? audio.length / 48 : audio.length / 8;
    }
}
