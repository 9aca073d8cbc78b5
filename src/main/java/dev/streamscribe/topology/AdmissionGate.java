package dev.streamscribe.topology;

import dev.streamscribe.cost.SpendLedger;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.event.RateLimit;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a provider session may start now, JVM-wide: at most {@code realtime.max-concurrent-sessions} in flight,
 * none while the provider signals rate limits, none while its {@link ProviderBreaker} is open (one probe when
 * half-open), none while its quota is exhausted (until an operator resumes it, a restart, or the quota pause ends),
 * none once a graceful stop has begun. Created before the driver and
 * handed to it as its rate-limit listener, so nothing needs to be wired after construction.
 *
 * <p>Live sessions (start AT_FIRST_TURN) hold a slot only while they have a connection; between turns they may wait
 * without one. Live turns go before batch sessions: while a live session with a {@link LivePlaces place} has a turn
 * due and no slot, a slot that frees is not given to a batch session (whatever task it is in); and batch sessions
 * never take the last {@code realtime.live-reserved-sessions} slots, less those live sessions already hold, so a
 * new live session need not wait for a batch session to end. With no live session and no reserve (the default),
 * batch sessions may use every slot. Once the application id's budget is spent ({@link SpendLedger}), nothing is
 * admitted (connected sessions go on to their end).
 *
 * <p>Threading: thread-safe. Stream threads acquire slots; driver callbacks release them and report rate limits.
 * Slot accounting synchronizes on the gate (a handful of integer updates per connection).
 */
public final class AdmissionGate {
    /** How long an exhausted quota pauses admission by default (provider.quota-pause-ms). */
    static final Duration DEFAULT_QUOTA_PAUSE = Duration.ofHours(1);

    /** The longest pause a rate-limit signal causes. */
    static final long MAX_PAUSE_MS = 60_000;

    private final int capacity;
    private final int liveReserve;
    private final LivePlaces livePlaces;
    /** Slots held now (guarded by this), and how many of them by live sessions with a place. */
    private int held;
    private int heldLive;
    private final PipelineMetrics metrics;
    private final ProviderBreaker breaker;
    private final SpendLedger spend;
    private final Duration quotaPause;
    /** When the provider said the quota is exhausted (0 = not paused for quota), and until when that pauses admission. */
    private final AtomicLong quotaPausedSinceMs = new AtomicLong();
    private final AtomicLong quotaPausedUntilMs = new AtomicLong();
    private volatile boolean admitting = true;
    /** Admission is paused until this time after the provider signalled a rate limit (0 = not paused). */
    private final AtomicLong pausedUntilMs = new AtomicLong();
    private final AtomicInteger rateLimitStreak = new AtomicInteger();

    /**
     * How live sessions share the slots.
     *
     * @param reservedSlots   slots batch sessions never take, less those live sessions hold
     *                        (realtime.live-reserved-sessions; never more than the slots there are)
     * @param maxLiveSessions live sessions that may hold a place (realtime.max-live-sessions)
     */
    public record LiveShare(int reservedSlots, int maxLiveSessions) {
        public static final LiveShare DEFAULTS = new LiveShare(0, 100);

        public LiveShare {
            if (reservedSlots < 0 || maxLiveSessions < 0) {
                throw new IllegalArgumentException("live share must not be negative: " + reservedSlots + " reserved, "
                        + maxLiveSessions + " live sessions");
            }
        }
    }

    /** What a session asks admission for: a batch session's slot, or a slot for a live session with a place. */
    enum Claim {
        BATCH, LIVE
    }

    /**
     * One connection's slot, from admission until its session ends (finished, failed or cancelled) or never went
     * out. Releasing it twice is harmless: the second release does nothing.
     *
     * <p>Threading: thread-safe; released from a stream thread or a driver callback.
     */
    final class Slot {
        private final Claim claim;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(Claim claim) {
            this.claim = claim;
        }

        Claim claim() {
            return claim;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                AdmissionGate.this.release(this);
            }
        }
    }

    public AdmissionGate(int maxConcurrentSessions, PipelineMetrics metrics) {
        this(maxConcurrentSessions, metrics, new ProviderBreaker(ProviderBreaker.Settings.DEFAULTS), DEFAULT_QUOTA_PAUSE,
                LiveShare.DEFAULTS);
    }

    public AdmissionGate(int maxConcurrentSessions, PipelineMetrics metrics, ProviderBreaker breaker) {
        this(maxConcurrentSessions, metrics, breaker, DEFAULT_QUOTA_PAUSE, LiveShare.DEFAULTS);
    }

    /**
     * @param quotaPause how long an exhausted quota pauses admission when no operator resumes it first
     * @param live       how live sessions share the slots
     */
    public AdmissionGate(int maxConcurrentSessions, PipelineMetrics metrics, ProviderBreaker breaker,
                         Duration quotaPause, LiveShare live) {
        this(maxConcurrentSessions, metrics, breaker, quotaPause, live, SpendLedger.UNTRACKED);
    }

    /** @param spend what the application id has spent: admission stops once its budget is spent */
    public AdmissionGate(int maxConcurrentSessions, PipelineMetrics metrics, ProviderBreaker breaker,
                         Duration quotaPause, LiveShare live, SpendLedger spend) {
        this.spend = Objects.requireNonNull(spend, "spend");
        this.breaker = Objects.requireNonNull(breaker, "breaker");
        this.quotaPause = Objects.requireNonNull(quotaPause, "quotaPause");
        if (maxConcurrentSessions < 0) {
            throw new IllegalArgumentException("maxConcurrentSessions must be >= 0, got " + maxConcurrentSessions);
        }
        this.capacity = maxConcurrentSessions;
        this.liveReserve = Math.min(live.reservedSlots(), maxConcurrentSessions);
        this.livePlaces = new LivePlaces(live.maxLiveSessions());
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Takes a slot when admission is open, not paused at {@code nowMs}, below the limit and the breaker admits; a
     * batch claim also leaves the reserve for live sessions waiting without a connection.
     */
    Optional<Slot> tryAcquire(long nowMs, Claim claim) {
        if (!admitting || nowMs < pausedUntilMs.get() || nowMs < quotaPausedUntilMs.get() || spend.exhausted(nowMs)) {
            return Optional.empty();
        }
        synchronized (this) {
            int free = capacity - held;
            if (free <= 0 || claim == Claim.BATCH && free <= heldBackForLive()) {
                return Optional.empty();
            }
            if (!breaker.tryAdmit()) {
                return Optional.empty();
            }
            held++;
            if (claim == Claim.LIVE) {
                heldLive++;
            }
        }
        return Optional.of(new Slot(claim));
    }

    /**
     * Slots batch sessions may not take now: one for each live turn due that waits for a slot, or what is left of
     * the reserve, whichever is more.
     */
    private int heldBackForLive() {
        return Math.max(livePlaces.waitingForSlot(), liveReserve - heldLive);
    }

    /** Live sessions with a place that have no connection now (waiting for their next turn, or for a slot). */
    public synchronized int liveWaiting() {
        return Math.max(0, livePlaces.held() - heldLive);
    }

    private void release(Slot slot) {
        synchronized (this) {
            held--;
            if (slot.claim() == Claim.LIVE) {
                heldLive--;
            }
        }
        breaker.slotReleased();
    }

    /** The live sessions that hold a place in this JVM. */
    public LivePlaces livePlaces() {
        return livePlaces;
    }

    /** What the application id has spent, and its budget. */
    public SpendLedger spend() {
        return spend;
    }

    public ProviderBreaker breaker() {
        return breaker;
    }

    /** Sessions in flight in this JVM right now. */
    public synchronized int inFlight() {
        return held;
    }

    /** Sessions in flight now that are live sessions with a place. */
    public synchronized int liveInFlight() {
        return heldLive;
    }

    /**
     * A session hit a rate limit (a rate_limit_exceeded error or a refused upgrade with 429): admission pauses, for
     * 1 s doubling with each further hit in a row up to 60 s, so the pipeline backs off the provider as a whole.
     */
    public void rateLimitHit(long nowMs) {
        long pause = Math.min(MAX_PAUSE_MS, 1_000L << Math.min(6, rateLimitStreak.getAndIncrement()));
        pausedUntilMs.accumulateAndGet(nowMs + pause, Math::max);
        metrics.rateLimited();
    }

    /**
     * The provider said the account's quota is exhausted: every further session would fail the same way (and some
     * providers bill what was sent before the refusal), so admission pauses until {@link #resumeProvider}, a restart,
     * or the quota pause ends.
     */
    public void quotaExhausted(long nowMs) {
        if (quotaPausedSinceMs.compareAndSet(0, nowMs)) {
            metrics.quotaPaused();
        }
        quotaPausedUntilMs.accumulateAndGet(nowMs + quotaPause.toMillis(), Math::max);
    }

    /**
     * An operator resumed the provider ({@code resume-provider}) at {@code asOfMs}: a quota pause that began before
     * then ends. A pause that began after (a new refusal) stands.
     */
    public void resumeProvider(long asOfMs) {
        long since = quotaPausedSinceMs.get();
        if (since != 0 && since <= asOfMs && quotaPausedSinceMs.compareAndSet(since, 0)) {
            quotaPausedUntilMs.set(0);
        }
    }

    /** When the current quota pause began (epoch ms); 0 when not paused for quota. */
    public long quotaPausedSinceMs() {
        return quotaPausedSinceMs.get();
    }

    /**
     * Since when admission to the provider has been paused by an outage or an exhausted quota, whichever began first
     * (epoch ms); empty when it is not paused for either.
     */
    public OptionalLong providerPausedSinceMs(long nowMs) {
        long quota = quotaPausedUntilMs() > nowMs ? quotaPausedSinceMs.get() : 0;
        long outage = breaker.outageSinceMs();
        long since = quota == 0 ? outage : outage == 0 ? quota : Math.min(quota, outage);
        return since == 0 ? OptionalLong.empty() : OptionalLong.of(since);
    }

    /** Until when an exhausted quota pauses admission (epoch ms; in the past when not paused). */
    public long quotaPausedUntilMs() {
        return quotaPausedSinceMs.get() == 0 ? 0 : quotaPausedUntilMs.get();
    }

    /** A session finished without a rate limit: the back-off streak ends. */
    public void rateLimitClear() {
        rateLimitStreak.set(0);
    }

    /**
     * The provider's {@code rate_limits.updated}: when fewer than a tenth of any limit remains, admission pauses
     * until that limit resets (at most 60 s), before the provider has to refuse anything.
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

    /** When admission resumes after a rate limit (epoch ms; in the past when not paused). */
    public long pausedUntilMs() {
        return pausedUntilMs.get();
    }

    /** Graceful stop, first step: no new session starts; those in flight go on. */
    public void stopAdmission() {
        admitting = false;
    }
}
