package dev.streamscribe.topology;

import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.event.RateLimit;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether one provider of the pool may take a session now: at most its {@code max-concurrent-sessions} in flight,
 * none while it signals rate limits, none while its {@link ProviderBreaker} is open (one probe when half-open), none
 * while its quota is exhausted (until an operator resumes it, a restart, or the quota pause ends). The
 * {@link AdmissionGate} asks each provider in priority order; a provider that cannot take sessions now is passed
 * over for the next, so an outage or a quota of one provider moves the work to the others.
 *
 * <p>Threading: thread-safe. Slot counts synchronize on this object; pauses are atomics set from driver callbacks.
 */
public final class ProviderGate {
    /** How long an exhausted quota pauses a provider by default (provider.quota-pause-ms). */
    static final Duration DEFAULT_QUOTA_PAUSE = Duration.ofHours(1);
    /** The longest pause a rate-limit signal causes. */
    static final long MAX_PAUSE_MS = 60_000;

    private final String name;
    private final int capacity;
    private final ProviderBreaker breaker;
    private final Duration quotaPause;
    private final PipelineMetrics metrics;
    /** Sessions of this provider in flight (guarded by this). */
    private int held;
    /** When the provider said the quota is exhausted (0 = not paused for quota), and until when that pauses it. */
    private final AtomicLong quotaPausedSinceMs = new AtomicLong();
    private final AtomicLong quotaPausedUntilMs = new AtomicLong();
    /** Paused until this time after the provider signalled a rate limit (0 = not paused). */
    private final AtomicLong pausedUntilMs = new AtomicLong();
    private final AtomicInteger rateLimitStreak = new AtomicInteger();

    public ProviderGate(String name, int capacity, ProviderBreaker breaker, Duration quotaPause, PipelineMetrics metrics) {
        this.name = Objects.requireNonNull(name, "name");
        if (capacity < 0) {
            throw new IllegalArgumentException("a provider's capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
        this.breaker = Objects.requireNonNull(breaker, "breaker");
        this.quotaPause = Objects.requireNonNull(quotaPause, "quotaPause");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    public String name() {
        return name;
    }

    public int capacity() {
        return capacity;
    }

    public ProviderBreaker breaker() {
        return breaker;
    }

    /** Whether nothing but a free slot keeps this provider from a session at {@code nowMs}. */
    boolean open(long nowMs) {
        return nowMs >= pausedUntilMs.get() && nowMs >= quotaPausedUntilMs() && breaker.admitsNow();
    }

    synchronized boolean full() {
        return held >= capacity;
    }

    /** Takes one of its slots, asking the breaker (the probe, when half-open); false when it cannot. */
    synchronized boolean tryHold() {
        if (held >= capacity || !breaker.tryAdmit()) {
            return false;
        }
        held++;
        return true;
    }

    void release() {
        synchronized (this) {
            held--;
        }
        breaker.slotReleased();
    }

    /** Its sessions in flight now. */
    public synchronized int inFlight() {
        return held;
    }

    /**
     * A session hit a rate limit (a rate_limit_exceeded error or a refused upgrade with 429): the provider pauses, for
     * 1 s doubling with each further hit in a row up to 60 s, so the pipeline backs off it as a whole.
     */
    public void rateLimitHit(long nowMs) {
        long pause = Math.min(MAX_PAUSE_MS, 1_000L << Math.min(6, rateLimitStreak.getAndIncrement()));
        pausedUntilMs.accumulateAndGet(nowMs + pause, Math::max);
        metrics.rateLimited();
    }

    /** A session finished without a rate limit: the back-off streak ends. */
    public void rateLimitClear() {
        rateLimitStreak.set(0);
    }

    /**
     * The provider's {@code rate_limits.updated}: when fewer than a tenth of any limit remains, it pauses until that
     * limit resets (at most 60 s), before the provider has to refuse anything.
     */
    public void rateLimitsReported(List<RateLimit> limits, long nowMs) {
        for (RateLimit limit : limits) {
            if (limit.limit() > 0 && limit.remaining() * 10 < limit.limit()) {
                long pause = Math.min(MAX_PAUSE_MS, (long) (limit.resetSeconds() * 1000));
                pausedUntilMs.accumulateAndGet(nowMs + pause, Math::max);
                metrics.rateLimited();
            }
        }
    }

    /** When it takes sessions again after a rate limit (epoch ms; in the past when not paused). */
    public long pausedUntilMs() {
        return pausedUntilMs.get();
    }

    /**
     * The provider said the account's quota is exhausted: every further session would fail the same way (and some
     * providers bill what was sent before the refusal), so it pauses until {@link #resume}, a restart, or the quota
     * pause ends.
     */
    public void quotaExhausted(long nowMs) {
        if (quotaPausedSinceMs.compareAndSet(0, nowMs)) {
            metrics.quotaPaused();
        }
        quotaPausedUntilMs.accumulateAndGet(nowMs + quotaPause.toMillis(), Math::max);
    }

    /**
     * An operator resumed the providers ({@code resume-provider}) at {@code asOfMs}: a quota pause that began before
     * then ends. A pause that began after (a new refusal) stands.
     */
    public void resume(long asOfMs) {
        long since = quotaPausedSinceMs.get();
        if (since != 0 && since <= asOfMs && quotaPausedSinceMs.compareAndSet(since, 0)) {
            quotaPausedUntilMs.set(0);
        }
    }

    /** When the current quota pause began (epoch ms); 0 when not paused for quota. */
    public long quotaPausedSinceMs() {
        return quotaPausedSinceMs.get();
    }

    /** Until when an exhausted quota pauses it (epoch ms; in the past when not paused). */
    public long quotaPausedUntilMs() {
        return quotaPausedSinceMs.get() == 0 ? 0 : quotaPausedUntilMs.get();
    }

    /**
     * Since when it has been paused by an outage or an exhausted quota, whichever began first (epoch ms); empty when
     * it is not paused for either.
     */
    public OptionalLong pausedSinceMs(long nowMs) {
        long quota = quotaPausedUntilMs() > nowMs ? quotaPausedSinceMs.get() : 0;
        long outage = breaker.outageSinceMs();
        long since = quota == 0 ? outage : outage == 0 ? quota : Math.min(quota, outage);
        return since == 0 ? OptionalLong.empty() : OptionalLong.of(since);
    }
}
