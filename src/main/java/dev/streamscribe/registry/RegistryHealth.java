package dev.streamscribe.registry;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the registry client last saw of the registry, for {@code /health}, a gauge and logs: whether callers are
 * waiting through an outage right now, and the outage that has not been followed by a successful call yet.
 *
 * <p>Threading: thread-safe (atomics); written by every caller of the client, read by the operations endpoint.
 */
public final class RegistryHealth {
    /**
     * An outage: the registry answered as no registry should (or not at all) since {@code since}.
     *
     * @param lastFailure when the last call failed
     * @param message     the last failure, without credentials (the client never puts them in messages)
     */
    public record Outage(Instant since, Instant lastFailure, String message) {
    }

    private final AtomicReference<Outage> outage = new AtomicReference<>();
    private final AtomicInteger waiting = new AtomicInteger();

    /** A call failed with an outage. */
    void failed(String message, Instant now) {
        outage.updateAndGet(current -> new Outage(current == null ? now : current.since(), now, message));
    }

    /** A call reached the registry and got an answer: any outage is over. */
    void answered() {
        outage.set(null);
    }

    /** A caller starts waiting (with backoff) for the registry to come back. */
    void waitStarted() {
        waiting.incrementAndGet();
    }

    /** That caller stopped waiting: the registry answered, or its budget ran out. */
    void waitEnded() {
        waiting.decrementAndGet();
    }

    /** Callers waiting through an outage now. */
    public int waiting() {
        return waiting.get();
    }

    /** The outage not yet followed by a successful call, if any. */
    public Optional<Outage> outage() {
        return Optional.ofNullable(outage.get());
    }

    /** One line for {@code /health} and {@code status}, when there is something to say. */
    public Optional<String> describe(Instant now) {
        return outage().map(o -> "schema registry unavailable for " + Math.max(0, now.getEpochSecond()
                - o.since().getEpochSecond()) + " s (" + waiting() + " caller(s) waiting; last failure "
                + Math.max(0, now.getEpochSecond() - o.lastFailure().getEpochSecond()) + " s ago: " + o.message() + ")");
    }
}
