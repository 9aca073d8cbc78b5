package dev.streamscribe.records;

import dev.streamscribe.avro.AudioFormat;
import dev.streamscribe.avro.NoiseReduction;
import dev.streamscribe.avro.OutputModality;
import dev.streamscribe.avro.ResponseRequest;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.TranscriptionSettings;

import java.util.List;
import java.util.Map;

/**
 * Fixed session configs whose run tokens and stored state were captured from the build before run tokens and
 * session-state became schema-independent (src/test/resources/fixtures/): they must stay readable and their
 * requests recognisable forever.
 */
public final class UpgradeFixtures {
    private UpgradeFixtures() {
    }

    /** Transcription only, as ingest writes it for a WAV file. */
    public static SessionConfig transcriptionOnly() {
        return SessionConfig.newBuilder().setSessionId("s-fixture-1").setRunToken("r-fixture-1")
                .setTranscription(TranscriptionSettings.newBuilder().setModel("gpt-4o-transcribe").setLanguage("en").build())
                .setMetadata(Map.of("source", "a.wav")).setCreatedAtMs(1_700_000_000_000L).build();
    }

    /** A conversation with a text response after turns 0 and 2. */
    public static SessionConfig withResponses() {
        return SessionConfig.newBuilder().setSessionId("s-fixture-2").setRunToken("r-fixture-2")
                .setModel("gpt-realtime").setInstructions("Answer in one sentence.")
                .setTranscription(TranscriptionSettings.newBuilder().setModel("whisper-1").build())
                .setResponse(ResponseRequest.newBuilder().setOutputModality(OutputModality.TEXT).setMaxOutputTokens(200)
                        .setTurns(List.of(0, 2)).setMetadata(Map.of("job", "7", "batch", "b")).build())
                .setCreatedAtMs(1_700_000_000_001L).build();
    }

    /** G.711 with noise reduction, a prompt, logprobs and a dialect option. */
    public static SessionConfig telephony() {
        return SessionConfig.newBuilder().setSessionId("s-fixture-3").setRunToken("r-fixture-3")
                .setAudioFormat(AudioFormat.G711_ULAW).setNoiseReduction(NoiseReduction.FAR_FIELD)
                .setTranscription(TranscriptionSettings.newBuilder().setModel("gpt-4o-transcribe").setPrompt("Kafka, Avro")
                        .setIncludeLogprobs(true).build())
                .setDialectOptions(Map.of("inworld.key", "k-1")).build();
    }

    public static List<SessionConfig> all() {
        return List.of(transcriptionOnly(), withResponses(), telephony());
    }
}
