package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The usage the local server reports: shaped as the provider bills each model. */
class TranscriptionUsageTest {
    @Test
    void aDurationBilledModelReportsWholeSecondsPerCommitRoundedUp() {
        ObjectNode usage = TranscriptionUsage.of("whisper-1", 5_058, "hello there", "");
        assertEquals("duration", usage.path("type").asText());
        assertEquals(6, usage.path("seconds").asLong(), "5058 ms is billed as 6 s (docs/protocol.md section 4)");
    }

    @Test
    void aTokenBilledModelReportsAudioTokensInAndTextTokensOut() {
        ObjectNode usage = TranscriptionUsage.of("gpt-4o-mini-transcribe", 2_050, "twelve chars", "a prompt");
        assertEquals("tokens", usage.path("type").asText());
        assertEquals(21, usage.path("input_token_details").path("audio_tokens").asLong(), "one per 100 ms, rounded up");
        assertEquals(2, usage.path("input_token_details").path("text_tokens").asLong(), "the prompt: 8 characters");
        assertEquals(23, usage.path("input_tokens").asLong());
        assertEquals(3, usage.path("output_tokens").asLong(), "the transcript: 12 characters");
        assertEquals(26, usage.path("total_tokens").asLong());
    }
}
