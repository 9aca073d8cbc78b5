package dev.streamscribe.testing;

import dev.streamscribe.avro.OutputModality;
import dev.streamscribe.avro.ResponseRequest;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.realtime.Dialect;

/** Session configs for driver and server tests. */
public final class TestConfigs {
    private TestConfigs() {
    }

    /** Transcription only (plus a model for the beta dialect, which has conversation sessions only). */
    public static SessionConfig transcription(Dialect dialect, String sessionId) {
        return SessionConfig.newBuilder().setSessionId(sessionId).setRunToken("run-1")
                .setModel(dialect == Dialect.OPENAI_BETA ? "gpt-4o-realtime-preview" : null)
                .setTranscription(TranscriptionSettings.newBuilder().setModel("gpt-4o-transcribe").setLanguage("en").build())
                .build();
    }

    /** Transcription plus a text response after every turn. */
    public static SessionConfig withResponses(Dialect dialect, String sessionId) {
        SessionConfig config = transcription(dialect, sessionId);
        config.setModel(dialect == Dialect.OPENAI_BETA ? "gpt-4o-realtime-preview" : "gpt-realtime");
        config.setInstructions("Answer in one sentence.");
        config.setResponse(ResponseRequest.newBuilder().setOutputModality(OutputModality.TEXT).setMaxOutputTokens(200).build());
        return config;
    }
}
