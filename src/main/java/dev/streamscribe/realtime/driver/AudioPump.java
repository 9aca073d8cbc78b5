package dev.streamscribe.realtime.driver;

import dev.streamscribe.util.SerialExecutor;

import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A session's audio, pulled one piece at a time: the subscription, whether a piece is being appended (the end of
 * the audio must wait for it: {@code onComplete} needs no demand), whether the audio is complete, and a piece held
 * back while the session rotates to a new connection.
 *
 * <p>Threading: touched only on the session's serial executor; the {@link #subscriber}'s signals are re-submitted
 * there.
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

    /** Keeps {@code piece} until the new connection is configured, or the conversation restored. */
    void hold(AudioPiece piece) {
        held = piece;
    }

    Optional<AudioPiece> peekHeld() {
        return Optional.ofNullable(held);
    }

    Optional<AudioPiece> takeHeld() {
        AudioPiece piece = held;
        held = null;
        return Optional.ofNullable(piece);
    }

    /**
     * The subscriber to hand the audio source: every signal is re-submitted to {@code serial}; a subscription that
     * arrives after the attempt {@code ended} is cancelled at once; completion is recorded before {@code onComplete}.
     */
    Flow.Subscriber<AudioPiece> subscriber(SerialExecutor serial, BooleanSupplier ended, Consumer<AudioPiece> onPiece,
                                           Consumer<Throwable> onError, Runnable onComplete) {
        return new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                serial.execute(() -> {
                    if (ended.getAsBoolean()) {
                        s.cancel();
                        return;
                    }
                    subscribed(s);
                    requestNext();
                });
            }

            @Override
            public void onNext(AudioPiece piece) {
                serial.execute(() -> onPiece.accept(piece));
            }

            @Override
            public void onError(Throwable error) {
                serial.execute(() -> onError.accept(error));
            }

            @Override
            public void onComplete() {
                serial.execute(() -> {
                    completed();
                    onComplete.run();
                });
            }
        };
    }

    /**
     * Makes room for the next audio source of a live run: the previous one completed, no piece is in flight or held.
     */
    void nextSource() {
        if (!complete || pieceInFlight || held != null) {
            throw new IllegalStateException("the current audio is not finished: complete=" + complete + ", piece in "
                    + "flight=" + pieceInFlight + ", held=" + (held != null));
        }
        subscription = null;
        complete = false;
    }

    void cancel() {
        if (subscription != null) {
            subscription.cancel();
        }
    }
}
