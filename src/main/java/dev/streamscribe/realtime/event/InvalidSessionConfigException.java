package dev.streamscribe.realtime.event;

/** A session config the provider could never accept; the session fails permanently with reason CONFIG_ERROR. */
public final class InvalidSessionConfigException extends RuntimeException {
    public InvalidSessionConfigException(String message) {
        super(message);
    }
}
