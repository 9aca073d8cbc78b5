package dev.streamscribe.ingest;

import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.audio.AudioFileDecoder;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.TranscriptionSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class SessionIdentityTest {
    @TempDir
    Path dir;

    private static SessionConfig config(String model, String prompt, Map<String, String> metadata, long created) {
        return SessionConfig.newBuilder().setSessionId("s-1").setRunToken("x").setCreatedAtMs(created).setMetadata(metadata)
                .setTranscription(TranscriptionSettings.newBuilder().setModel(model).setPrompt(prompt).build()).build();
    }

    @Test
    void shouldNameTheSameContentTheSameSessionWhereverTheFileLies() throws Exception {
        Path a = Files.write(dir.resolve("a.wav"), new byte[]{1, 2, 3});
        Path b = Files.write(dir.resolve("copy-of-a.wav"), new byte[]{1, 2, 3});
        assertEquals(SessionIdentity.sessionId(a, "layout"), SessionIdentity.sessionId(b, "layout"));
    }

    @Test
    void shouldNameOtherContentOrAnotherLayoutAnotherSession() throws Exception {
        Path a = Files.write(dir.resolve("a.wav"), new byte[]{1, 2, 3});
        Path c = Files.write(dir.resolve("c.wav"), new byte[]{1, 2, 4});
        assertNotEquals(SessionIdentity.sessionId(a, "layout"), SessionIdentity.sessionId(c, "layout"));
        assertNotEquals(SessionIdentity.sessionId(a, "layout"), SessionIdentity.sessionId(a, "other layout"));
    }

    private static AudioIngestor.Settings settings(int stream) {
        return new AudioIngestor.Settings(AudioEncoding.PCM16, AudioFileDecoder.RawFormat.pcm16Mono24k(),
                new TurnPolicy(Duration.ofSeconds(120), Duration.ofMillis(800), -40, Duration.ofSeconds(2)), 262_144,
                config("m", "", Map.of(), 0), Map.of(), "ffmpeg", stream);
    }

    @Test
    void shouldMakeEachAudioStreamOfAFileItsOwnSessionAndKeepWavIdsAsTheyWere() {
        assertNotEquals(settings(0).layout(AudioIngestor.Decoding.FFMPEG), settings(1).layout(AudioIngestor.Decoding.FFMPEG),
                "two streams of one file are two sessions");
        // the layout WAV session ids were hashed with before ffmpeg decoding existed: ids of re-ingested WAVs stay
        assertEquals("encoding=PCM16;turns=max=120000,silence=800,db=-40.0,min=2000;chunk=262144",
                settings(3).layout(AudioIngestor.Decoding.WAV));
    }

    @Test
    void shouldDecodeByNameRawAndWavHereAndEverythingElseWithFfmpeg() {
        assertEquals(AudioIngestor.Decoding.RAW, AudioIngestor.decodingOf(Path.of("a.PCM")));
        assertEquals(AudioIngestor.Decoding.WAV, AudioIngestor.decodingOf(Path.of("a.wave")));
        assertEquals(AudioIngestor.Decoding.FFMPEG, AudioIngestor.decodingOf(Path.of("a.m4a")));
        assertEquals(AudioIngestor.Decoding.FFMPEG, AudioIngestor.decodingOf(Path.of("recording")));
    }

    @Test
    void shouldKeepTheRunTokenWhenOnlyMetadataOrCreationTimeDiffer() {
        assertEquals(SessionIdentity.runToken(config("whisper-1", "p", Map.of("source", "a.wav"), 1)),
                SessionIdentity.runToken(config("whisper-1", "p", Map.of("source", "b.wav", "job", "7"), 2)));
    }

    @Test
    void shouldMakeANewRunTokenWhenTheModelOrPromptChanges() {
        String base = SessionIdentity.runToken(config("whisper-1", "p", Map.of(), 1));
        assertNotEquals(base, SessionIdentity.runToken(config("gpt-4o-transcribe", "p", Map.of(), 1)));
        assertNotEquals(base, SessionIdentity.runToken(config("whisper-1", "q", Map.of(), 1)));
    }
}
