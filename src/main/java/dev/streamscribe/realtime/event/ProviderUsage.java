package dev.streamscribe.realtime.event;

/** Usage as the provider reported it: token counts or billed seconds. */
public record ProviderUsage(Kind kind, long inputTokens, long outputTokens, long totalTokens, long inputTextTokens,
                            long inputAudioTokens, long inputCachedTokens, long outputTextTokens,
                            long outputAudioTokens, double durationSeconds) {
    public enum Kind { TOKENS, DURATION }

    public static ProviderUsage duration(double seconds) {
        return new ProviderUsage(Kind.DURATION, 0, 0, 0, 0, 0, 0, 0, 0, seconds);
    }
}
