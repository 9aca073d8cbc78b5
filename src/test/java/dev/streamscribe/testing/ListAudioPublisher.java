package dev.streamscribe.testing;

import dev.streamscribe.realtime.driver.AudioPiece;

import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes a fixed list of pieces, honouring demand, and records the largest outstanding demand it ever saw
 * (the driver must pull one piece at a time). Optionally fails instead of completing.
 */
public final class ListAudioPublisher implements Flow.Publisher<AudioPiece> {
    private final List<AudioPiece> pieces;
    private final Throwable failure;
    public final AtomicLong maxOutstanding = new AtomicLong();
    public final AtomicBoolean cancelled = new AtomicBoolean();

    public ListAudioPublisher(List<AudioPiece> pieces) {
        this(pieces, null);
    }

    public ListAudioPublisher(List<AudioPiece> pieces, Throwable failure) {
        this.pieces = List.copyOf(pieces);
        this.failure = failure;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super AudioPiece> subscriber) {
        subscriber.onSubscribe(new Flow.Subscription() {
            private int next;
            private long demand;
            private boolean emitting;
            private boolean done;

            @Override
            public void request(long n) {
                synchronized (this) {
                    demand += n;
                    maxOutstanding.accumulateAndGet(demand, Math::max);
                    if (emitting) {
                        return;
                    }
                    emitting = true;
                }
                while (true) {
                    AudioPiece piece = null;
                    boolean finish = false;
                    synchronized (this) {
                        if (done || cancelled.get()) {
                            emitting = false;
                            return;
                        }
                        if (next < pieces.size() && demand > 0) {
                            piece = pieces.get(next++);
                            demand--;
                        } else if (next >= pieces.size()) {
                            finish = true;
                            done = true;
                        } else {
                            emitting = false;
                            return;
                        }
                    }
                    if (finish) {
                        if (failure != null) {
                            subscriber.onError(failure);
                        } else {
                            subscriber.onComplete();
                        }
                        return;
                    }
                    subscriber.onNext(piece);
                }
            }

            @Override
            public void cancel() {
                cancelled.set(true);
            }
        });
    }
}
