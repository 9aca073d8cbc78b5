package dev.streamscribe.realtime.server;

import dev.streamscribe.audio.AudioEncoding;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnginesTest {
    @Test
    void shouldPickPocketsphinxForAutoExactlyWhenItIsInstalled() {
        try (SpeechEngine engine = Engines.select("auto", 1)) {
            assertEquals(PocketsphinxEngine.locate().isPresent() ? "pocketsphinx" : "deterministic", engine.name());
        }
    }

    @Test
    void shouldNameTheAllowedEnginesForAnUnknownOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engines.select("whisper", 1));
        assertTrue(e.getMessage().contains("allowed: auto, pocketsphinx, deterministic"), e.getMessage());
    }

    @Test
    void shouldDeriveTheDeterministicTranscriptFromTheAudio() {
        SpeechInput a = new SpeechInput(new byte[4800], AudioEncoding.PCM16, "m", Optional.empty(), Optional.empty());
        SpeechInput b = new SpeechInput(new byte[9600], AudioEncoding.PCM16, "m", Optional.empty(), Optional.empty());
        CRC32 crc = new CRC32();
        crc.update(new byte[4800]);
        assertEquals(String.format("100 ms of audio fingerprint %08x", crc.getValue()), DeterministicSpeechEngine.transcriptOf(a));
        assertTrue(DeterministicSpeechEngine.transcriptOf(b).startsWith("200 ms of audio fingerprint "));
        assertTrue(!DeterministicSpeechEngine.transcriptOf(a).equals(DeterministicSpeechEngine.transcriptOf(b)));
    }
}
