package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.regex.Pattern;

/**
 * The {@code usage} the local server reports on {@code ...transcription.completed}, shaped as the provider bills the
 * model (docs/protocol.md sections 4 and 12): token usage for token-billed models ({@code gpt-4o-*transcribe}),
 * duration usage for the rest ({@code whisper-1}, {@code gpt-live-transcribe}, anything else), in whole seconds per
 * commit rounded up. The token counts are the local server's own model of a provider's, stated here and nowhere
 * relied on as the provider's: 10 audio tokens per second of audio (one per 100 ms, rounded up), one text token per
 * four characters of the transcript (at least one), and of the prompt.
 */
final class TranscriptionUsage {
    private static final Pattern TOKEN_BILLED = Pattern.compile("gpt-4o(-mini)?-transcribe.*");

    private TranscriptionUsage() {
    }

    static ObjectNode of(String model, long audioMs, String transcript, String prompt) {
        ObjectNode usage = JsonNodeFactory.instance.objectNode();
        if (!TOKEN_BILLED.matcher(model).matches()) {
            return usage.put("type", "duration").put("seconds", (long) Math.ceil(audioMs / 1000.0));
        }
        long audio = (audioMs + 99) / 100;
        long text = prompt.isEmpty() ? 0 : (prompt.length() + 3) / 4;
        long output = Math.max(1, (transcript.length() + 3) / 4);
        usage.put("type", "tokens").put("input_tokens", audio + text).put("output_tokens", output)
                .put("total_tokens", audio + text + output);
        usage.putObject("input_token_details").put("text_tokens", text).put("audio_tokens", audio);
        return usage;
    }
}
