package dev.streamscribe.client;

import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Counts one session's records sent and acknowledged, and keeps the first failure, so the session can wait for
 * exactly its own records (not the whole producer's, as {@code flush()} would) and fail with Kafka's reason.
 *
 * <p>Threading: {@link #sent} on the session's caller, {@link #acknowledged}/{@link #failed} on the Kafka producer's
 * I/O thread, {@link #awaitAll} on the caller. Its own lock only: the session's lock is never taken from a producer
 * callback (a caller blocked in {@code send()} on a full buffer holds it, and waits for that very thread).
 */
final class Acknowledgements {
    private final LongConsumer audioAcknowledged;
    private long sent;
    private long acknowledged;
    private long audioBytes;
    private Exception failure;

    /** @param audioAcknowledged told the audio bytes acknowledged so far, on the producer's I/O thread */
    Acknowledgements(LongConsumer audioAcknowledged) {
        this.audioAcknowledged = audioAcknowledged;
    }

    synchronized void sent() {
        sent++;
    }

    void acknowledged(long recordAudioBytes) {
        long total;
        synchronized (this) {
            acknowledged++;
            audioBytes += recordAudioBytes;
            total = audioBytes;
            notifyAll();
        }
        if (recordAudioBytes > 0) {
            audioAcknowledged.accept(total);
        }
    }

    synchronized void failed(Exception error) {
        acknowledged++;
        if (failure == null) {
            failure = error;
        }
        notifyAll();
    }

    synchronized long sentCount() {
        return sent;
    }

    synchronized Optional<Exception> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Waits until every record sent so far has its answer (Kafka answers each within {@code delivery.timeout.ms}).
     *
     * @return the first failure, if any record was refused
     */
    synchronized Optional<Exception> awaitAll() throws InterruptedException {
        while (acknowledged < sent) {
            wait();
        }
        return Optional.ofNullable(failure);
    }
}
