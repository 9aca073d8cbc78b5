package dev.streamscribe.realtime.event;

/** One entry of {@code rate_limits.updated}. */
public record RateLimit(String name, long limit, long remaining, double resetSeconds) {
}
