package dev.streamscribe.topology;

import dev.streamscribe.cost.SpendLedger;
import dev.streamscribe.metrics.PipelineMetrics;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Whether a provider session may start now, JVM-wide: at most the providers' slots together in flight, none once a
 * graceful stop has begun or the application id's budget is spent ({@link SpendLedger}); and which provider takes
 * it: the highest-priority one the session may use ({@link ProviderGate}: not paused for a rate limit or a quota,
 * its breaker not open). A session waits for that provider while it is only full, so priorities are kept; it goes
 * to the next one while the first cannot take sessions at all (an outage, a quota, a rate limit).
 *
 * <p>Live sessions (start AT_FIRST_TURN) hold a slot only while they have a connection; between turns they may wait
 * without one. Live turns go before batch sessions: while a live session with a {@link LivePlaces place} has a turn
 * due and no slot, a slot that frees is not given to a batch session (whatever task it is in); and batch sessions
 * never take the last {@code realtime.live-reserved-sessions} slots, less those live sessions already hold, so a
 * new live session need not wait for a batch session to end. With no live session and no reserve (the default),
 * batch sessions may use every slot.
 *
 * <p>Threading: thread-safe. Stream threads acquire slots; driver callbacks release them and report rate limits to
 * the providers' gates. Slot accounting synchronizes on the gate (a handful of integer updates per connection).
 */
public final class AdmissionGate {
    /** The provider of a gate built for one provider without a name (tests): the OpenAI dialects' vendor. */
    static final String DEFAULT_PROVIDER = "openai";

    private final int capacity;
    private final int liveReserve;
    private final LivePlaces livePlaces;
    /** Slots held now (guarded by this), and how many of them by live sessions with a place. */
    private int held;
    private int heldLive;
    private final List<ProviderGate> providers;
    private final SpendLedger spend;
    private volatile boolean admitting = true;

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
        private final ProviderGate provider;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(Claim claim, ProviderGate provider) {
            this.claim = claim;
            this.provider = provider;
        }

        Claim claim() {
            return claim;
        }

        /** The provider that takes the session. */
        ProviderGate provider() {
            return provider;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                AdmissionGate.this.release(this);
            }
        }
    }

    /** One provider ({@value #DEFAULT_PROVIDER}) with the default breaker, quota pause and live share. */
    public AdmissionGate(int maxConcurrentSessions, PipelineMetrics metrics) {
        this(maxConcurrentSessions, metrics, new ProviderBreaker(ProviderBreaker.Settings.DEFAULTS),
                ProviderGate.DEFAULT_QUOTA_PAUSE, LiveShare.DEFAULTS);
    }

    /** One provider ({@value #DEFAULT_PROVIDER}) with {@code breaker}. */
    public AdmissionGate(int maxConcurrentSessions, PipelineMetrics metrics, ProviderBreaker breaker) {
        this(maxConcurrentSessions, metrics, breaker, ProviderGate.DEFAULT_QUOTA_PAUSE, LiveShare.DEFAULTS);
    }

    /**
     * One provider ({@value #DEFAULT_PROVIDER}), no budget.
     *
     * @param quotaPause how long an exhausted quota pauses admission when no operator resumes it first
     * @param live       how live sessions share the slots
     */
    public AdmissionGate(int maxConcurrentSessions, PipelineMetrics metrics, ProviderBreaker breaker,
                         Duration quotaPause, LiveShare live) {
        this(maxConcurrentSessions, metrics, breaker, quotaPause, live, SpendLedger.UNTRACKED);
    }

    /** One provider ({@value #DEFAULT_PROVIDER}); admission stops once {@code spend}'s budget is spent. */
    public AdmissionGate(int maxConcurrentSessions, PipelineMetrics metrics, ProviderBreaker breaker,
                         Duration quotaPause, LiveShare live, SpendLedger spend) {
        this(List.of(new ProviderGate(DEFAULT_PROVIDER, maxConcurrentSessions, breaker, quotaPause, metrics)), live,
                spend);
    }

    /**
     * @param providers the pool, highest priority first; the JVM's slots are theirs together
     * @param live      how live sessions share the slots
     * @param spend     what the application id has spent: admission stops once its budget is spent
     */
    public AdmissionGate(List<ProviderGate> providers, LiveShare live, SpendLedger spend) {
        this.providers = List.copyOf(providers);
        if (this.providers.isEmpty()) {
            throw new IllegalArgumentException("admission needs at least one provider");
        }
        this.spend = Objects.requireNonNull(spend, "spend");
        this.capacity = this.providers.stream().mapToInt(ProviderGate::capacity).sum();
        this.liveReserve = Math.min(live.reservedSlots(), capacity);
        this.livePlaces = new LivePlaces(live.maxLiveSessions());
    }

    /** A slot at the first provider that can take a session now, whichever provider that is. */
    Optional<Slot> tryAcquire(long nowMs, Claim claim) {
        return tryAcquire(nowMs, claim, provider -> true);
    }

    /**
     * Takes a slot when admission is open and the budget not spent, below the JVM's limit, at the highest-priority
     * provider {@code eligible} names that can take sessions now (see the class comment); a batch claim also leaves
     * the reserve for live sessions waiting without a connection. Empty when the session must wait.
     */
    Optional<Slot> tryAcquire(long nowMs, Claim claim, Predicate<String> eligible) {
        if (!admitting || spend.exhausted(nowMs)) {
            return Optional.empty();
        }
        synchronized (this) {
            int free = capacity - held;
            if (free <= 0 || claim == Claim.BATCH && free <= heldBackForLive()) {
                return Optional.empty();
            }
            for (ProviderGate provider : providers) {
                if (!eligible.test(provider.name()) || !provider.open(nowMs)) {
                    continue;
                }
                if (!provider.tryHold()) {
                    return Optional.empty(); // the provider it should go to is full: wait for it
                }
                held++;
                if (claim == Claim.LIVE) {
                    heldLive++;
                }
                return Optional.of(new Slot(claim, provider));
            }
        }
        return Optional.empty();
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
        slot.provider().release();
    }

    /** The live sessions that hold a place in this JVM. */
    public LivePlaces livePlaces() {
        return livePlaces;
    }

    /** What the application id has spent, and its budget. */
    public SpendLedger spend() {
        return spend;
    }

    /** The pool, highest priority first. */
    public List<ProviderGate> providers() {
        return providers;
    }

    /** The highest-priority provider (the only one of a single-provider pipeline). */
    public ProviderGate primary() {
        return providers.getFirst();
    }

    /** The provider named {@code name}. */
    public ProviderGate provider(String name) {
        return providers.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no provider named '" + name + "'"));
    }

    /** Sessions in flight in this JVM right now. */
    public synchronized int inFlight() {
        return held;
    }

    /** Sessions in flight now that are live sessions with a place. */
    public synchronized int liveInFlight() {
        return heldLive;
    }

    /** An operator resumed the providers ({@code resume-provider}) at {@code asOfMs}: see {@link ProviderGate#resume}. */
    public void resumeProvider(long asOfMs) {
        providers.forEach(provider -> provider.resume(asOfMs));
    }

    /** Whether any provider is paused for a rate limit at {@code nowMs}. */
    public boolean rateLimitPaused(long nowMs) {
        return providers.stream().anyMatch(provider -> provider.pausedUntilMs() > nowMs);
    }

    /** Graceful stop, first step: no new session starts; those in flight go on. */
    public void stopAdmission() {
        admitting = false;
    }
}
