package dev.streamscribe.testing;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.AudioFormat;
import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.OutputModality;
import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.ResponseRequest;
import dev.streamscribe.avro.ResponseStatus;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.avro.Usage;
import dev.streamscribe.avro.UsageKind;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/** One fully populated record of each topic's type, for round-trip tests. */
public final class SampleRecords {
    private SampleRecords() {
    }

    public static SessionConfig sessionConfig(String sessionId) {
        return SessionConfig.newBuilder()
                .setSessionId(sessionId)
                .setRunToken("run-" + sessionId)
                .setModel("gpt-realtime")
                .setInstructions("Summarise each turn in one sentence.")
                .setTranscription(TranscriptionSettings.newBuilder().setModel("gpt-4o-transcribe").setLanguage("en")
                        .setPrompt("Kafka, Avro").setIncludeLogprobs(true).build())
                .setAudioFormat(AudioFormat.PCM16_24KHZ)
                .setResponse(ResponseRequest.newBuilder().setInstructions("One sentence.")
                        .setOutputModality(OutputModality.TEXT).setMaxOutputTokens(256).setTurns(List.of(0, 2))
                        .setMetadata(Map.of("job", "it")).build())
                .setMetadata(Map.of("source", "meeting.wav"))
                .setCreatedAtMs(1_700_000_000_000L)
                .build();
    }

    public static AudioChunk audioChunk(String sessionId, long seq) {
        byte[] pcm = new byte[4_800];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (byte) (i * 7 + seq);
        }
        return AudioChunk.newBuilder().setSessionId(sessionId).setSeq(seq).setTurnIndex(0)
                .setAudio(ByteBuffer.wrap(pcm)).setEndOfTurn(true).setEndOfSession(true).setProducedAtMs(1L).build();
    }

    public static Usage durationUsage(double seconds) {
        return Usage.newBuilder().setKind(UsageKind.DURATION).setDurationSeconds(seconds).build();
    }

    public static TranscriptionEvent transcriptionEvent(String sessionId) {
        return TranscriptionEvent.newBuilder().setSessionId(sessionId).setRunToken("run-" + sessionId).setAttempt(1)
                .setTurnIndex(0).setStatus(TurnStatus.COMPLETED).setTranscript("hello world")
                .setTurnStartMs(0).setTurnEndMs(1_500).setUsage(durationUsage(2.0)).setDialect("openai-ga")
                .setTranscriptionModel("whisper-1").setItemId("item_1").setProviderSessionId("sess_1")
                .setCompletedAtMs(2L).build();
    }

    public static ResponseEvent responseEvent(String sessionId) {
        return ResponseEvent.newBuilder().setSessionId(sessionId).setRunToken("run-" + sessionId).setAttempt(1)
                .setTurnIndex(0).setStatus(ResponseStatus.COMPLETED).setText("A greeting.")
                .setUsage(Usage.newBuilder().setKind(UsageKind.TOKENS).setInputTokens(10).setOutputTokens(3)
                        .setTotalTokens(13).build())
                .setDialect("openai-ga").setResponseId("resp_1").setItemId("item_1").build();
    }

    public static SessionResult sessionResult(String sessionId) {
        return SessionResult.newBuilder().setSessionId(sessionId).setRunToken("run-" + sessionId).setAttempt(1)
                .setStatus(SessionStatus.COMPLETED).setTurnsTotal(1).setTurnsCompleted(1).setResponsesTotal(1)
                .setAudioMs(1_500).setUsage(durationUsage(2.0)).setDialect("openai-ga")
                .setProviderSessionIds(List.of("sess_1")).setMetadata(Map.of("source", "meeting.wav"))
                .setStartedAtMs(1L).setFinishedAtMs(3L).build();
    }

    public static DeadLetter deadLetter(String sessionId) {
        return DeadLetter.newBuilder().setReasonCode("CONFLICTING_DUPLICATE")
                .setMessage("seq 3 arrived twice with different bytes").setSourceTopic("streamscribe.audio-chunks")
                .setSourcePartition(2).setSourceOffset(41L).setOriginalKey(ByteBuffer.wrap(sessionId.getBytes()))
                .setOriginalValue(ByteBuffer.wrap(new byte[]{0, 0, 0, 0, 1, 2})).setSessionId(sessionId)
                .setOccurredAtMs(4L).build();
    }
}
