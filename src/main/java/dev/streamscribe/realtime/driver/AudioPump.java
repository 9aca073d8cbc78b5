package dev.streamscribe.realtime.driver;

import java.util.Optional;
import java.util.concurrent.Flow;

/**
 * A session's audio, pulled one piece at a time: the subscription, whether a piece is being appended (the end of
 * the audio must wait for it: {@code onComplete} needs no demand), whether the audio is complete, and a piece held
 * back while the session rotates to a new connection.
 *
 * <p>Threading: touched only on the session's serial executor; the subscriber's signals are re-submitted there.
 */
final class AudioPump {
    private Flow.Subscription subscription;
    private boolean complete;
    private boolean pieceInFlight;
    private AudioPiece held;

    boolean subscribed() {
        return subscription != null;
    }

    void subscribed(Flow.Subscription value) {
        if (subscription != null) {
            throw new IllegalStateException("the audio is already subscribed");
        }
        subscription = value;
    }

    /** Asks for the next piece (at most one is outstanding). */
    void requestNext() {
        if (subscription != null) {
            subscription.request(1);
        }
    }

    void pieceArrived() {
        pieceInFlight = true;
    }

    void pieceDone() {
        pieceInFlight = false;
    }

    boolean pieceInFlight() {
        return pieceInFlight;
    }

    void completed() {
        complete = true;
    }

    boolean complete() {
        return complete;
    }

    /** Keeps {@code piece} until the new connection is configured. */
    void hold(AudioPiece piece) {
        held = piece;
    }

    Optional<AudioPiece> takeHeld() {
        AudioPiece piece = held;
        held = null;
        return Optional.ofNullable(piece);
    }

    void cancel() {
        if (subscription != null) {
            subscription.cancel();
        }
    }
}
