package dev.streamscribe.realtime.driver;

/**
 * The audio source cannot deliver the session's audio and never will (e.g. AUDIO_EXPIRED: deleted by retention).
 * Signalled through the audio publisher's onError; the session fails permanently with {@link #reason()}.
 */
public final class AudioUnavailableException extends RuntimeException {
    private final String reason;

    public AudioUnavailableException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
