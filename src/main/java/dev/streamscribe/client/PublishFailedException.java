package dev.streamscribe.client;

/**
 * Kafka did not take a record of a session (refused, timed out after {@code delivery.timeout.ms}, or the publisher
 * was closed): the session cannot be completed. Its message names the session and Kafka's reason. The session may
 * still be {@link SessionStream#abort aborted}, so the pipeline ends it at once instead of at its idle timeout.
 */
public final class PublishFailedException extends RuntimeException {
    public PublishFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
