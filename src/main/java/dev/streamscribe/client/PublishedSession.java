package dev.streamscribe.client;

/**
 * A session whose every record Kafka has acknowledged: its chunks, then its config.
 *
 * @param sessionId  the session's id (the records' key)
 * @param runToken   the run its config names
 * @param audioMs    audio published, in milliseconds
 * @param turns      turns it was cut into
 * @param chunks     chunk records published
 * @param audioBytes encoded audio bytes published
 */
public record PublishedSession(String sessionId, String runToken, long audioMs, int turns, long chunks,
                               long audioBytes) {
}
