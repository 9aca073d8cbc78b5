package dev.streamscribe.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The pipeline's own meters (docs/operations.md section 3), on a Micrometer registry: sessions waiting, in flight and
 * finished by status; dead letters by reason; duplicates absorbed; finished sessions purged; attempts retried; provider latency per attempt.
 *
 * <p>Threading: Micrometer meters are thread-safe; called from stream threads and driver callbacks.
 */
public final class PipelineMetrics {
    public static final String SESSIONS_FINISHED = "streamscribe.sessions.finished";
    public static final String SESSIONS_WAITING = "streamscribe.sessions.waiting";
    public static final String SESSIONS_IN_FLIGHT = "streamscribe.sessions.in.flight";
    public static final String LIVE_SESSIONS = "streamscribe.live.sessions";
    public static final String DEAD_LETTERS = "streamscribe.dead.letters";
    public static final String DUPLICATES = "streamscribe.chunks.duplicates";
    public static final String RETRIES = "streamscribe.session.retries";
    public static final String PROVIDER_LATENCY = "streamscribe.provider.latency";
    public static final String RATE_LIMITED = "streamscribe.admission.rate.limited";
    public static final String SESSIONS_PURGED = "streamscribe.sessions.purged";
    public static final String REGISTRY_WAITING = "streamscribe.registry.waiting";
    public static final String REGISTRY_UNAVAILABLE = "streamscribe.registry.unavailable";
    public static final String ADMISSION_PAUSED = "streamscribe.admission.paused";
    public static final String BUDGET_SPENT = "streamscribe.budget.spent";
    public static final String BUDGET_EXHAUSTED = "streamscribe.budget.exhausted";
    public static final String BUDGET_UNPRICED = "streamscribe.budget.unpriced.calls";
    public static final String AUDIO_RESENT = "streamscribe.audio.resent.ms";
    public static final String BREAKER_STATE = "streamscribe.provider.breaker.state";
    public static final String BREAKER_OPENED = "streamscribe.provider.breaker.opened";
    public static final String SESSIONS_REQUEUED = "streamscribe.sessions.requeued";
    public static final String QUOTA_PAUSES = "streamscribe.provider.quota.pauses";
    public static final String PROVIDER_ERRORS_NOTED = "streamscribe.provider.errors.noted";

    private final MeterRegistry registry;

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    private final java.util.List<Supplier<Number>> breakersOpened = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Supplier<Number> budgetUnpriced;
    private JvmGcMetrics gc;

    /**
     * The JVM's and the process's own meters (Micrometer's binders): heap and non-heap memory by pool, garbage
     * collection pauses, threads, classes, CPU, open file descriptors, uptime. What a heap or thread leak looks like
     * on a dashboard before it is an outage.
     */
    public void bindJvm() {
        new JvmMemoryMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Stops listening to garbage collections (the one binder that holds a listener). */
    public void closeJvm() {
        if (gc != null) {
            gc.close();
        }
    }

    /** Gauges read from the dispatcher's live counts. */
    public void bindGauges(Supplier<Number> waiting, Supplier<Number> inFlight) {
        Gauge.builder(SESSIONS_WAITING, waiting).description("READY sessions waiting for a slot").register(registry);
        Gauge.builder(SESSIONS_IN_FLIGHT, inFlight).description("sessions at the provider now").register(registry);
    }

    /**
     * Live sessions of this instance by {@code state}: {@code connected} (a place and a connection), {@code waiting}
     * (a place, waiting for their next turn without a connection) and {@code queued} (no place: dispatched like
     * batch sessions until one frees).
     */
    public void bindLiveGauges(Supplier<Number> connected, Supplier<Number> waiting, Supplier<Number> queued) {
        Gauge.builder(LIVE_SESSIONS, connected).tag("state", "connected")
                .description("live sessions with a place and a provider connection").register(registry);
        Gauge.builder(LIVE_SESSIONS, waiting).tag("state", "waiting")
                .description("live sessions with a place waiting for their next turn without a connection")
                .register(registry);
        Gauge.builder(LIVE_SESSIONS, queued).tag("state", "queued")
                .description("live sessions without a place, dispatched like batch sessions").register(registry);
    }

    /** Gauges of conditions an operator should see that are not failures (also lines of /health's body). */
    public void bindHealthGauges(Supplier<Number> registryWaiting, Supplier<Number> registryUnavailable,
                                 Supplier<Number> admissionPaused) {
        Gauge.builder(REGISTRY_WAITING, registryWaiting).description("callers waiting through a schema registry outage now")
                .register(registry);
        Gauge.builder(REGISTRY_UNAVAILABLE, registryUnavailable)
                .description("1 while the last schema registry call failed as an outage").register(registry);
        Gauge.builder(ADMISSION_PAUSED, admissionPaused).description("1 while admission is paused for a rate limit")
                .register(registry);
    }

    /**
     * The budget ({@code budget.max-cost}): what the application id spent in the current period (all instances), 1
     * while that stops admission, and the calls this instance was billed for whose cost is unknown (not counted).
     */
    public void bindBudget(Supplier<Number> spent, Supplier<Number> exhausted, Supplier<Number> unpricedCalls) {
        Gauge.builder(BUDGET_SPENT, spent).description("spent by the application id in the budget period, in the price "
                + "table's currency").register(registry);
        Gauge.builder(BUDGET_EXHAUSTED, exhausted).description("1 while the budget is spent and admission stopped")
                .register(registry);
        budgetUnpriced = unpricedCalls;
        FunctionCounter.builder(BUDGET_UNPRICED, unpricedCalls, supplier -> supplier.get().doubleValue())
                .description("provider calls of unknown cost (no price), not counted against the budget")
                .register(registry);
    }

    /**
     * One provider's breaker: its state (0 closed, 1 open, 2 half-open: one session probing) and how often it opened
     * (each a pause of that provider), tagged with the provider's name.
     */
    public void bindBreaker(String provider, Supplier<Number> state, Supplier<Number> timesOpened) {
        Gauge.builder(BREAKER_STATE, state).tag("provider", provider)
                .description("provider breaker: 0 closed, 1 open (admission paused), 2 half-open").register(registry);
        // kept in a field: a function counter holds only a weak reference to the object it reads
        breakersOpened.add(timesOpened);
        FunctionCounter.builder(BREAKER_OPENED, timesOpened, supplier -> supplier.get().doubleValue())
                .tag("provider", provider)
                .description("times the provider breaker opened (pauses of admission)").register(registry);
    }

    /** A session whose connection failed in a provider outage went back to waiting, spending no attempt. */
    public void sessionRequeued() {
        Counter.builder(SESSIONS_REQUEUED).description("sessions sent back to wait by a provider outage (no attempt spent)")
                .register(registry).increment();
    }

    /** {@code error} events a session went on after (not tied to our events, or answering a clear). */
    public void providerErrorsNoted(int count) {
        Counter.builder(PROVIDER_ERRORS_NOTED).description("provider error events that failed nothing (noted)")
                .register(registry).increment(count);
    }

    /** Admission paused because the provider said the quota is exhausted. */
    public void quotaPaused() {
        Counter.builder(QUOTA_PAUSES).description("times admission paused because the provider's quota was exhausted")
                .register(registry).increment();
    }

    public void sessionFinished(String status) {
        Counter.builder(SESSIONS_FINISHED).tag("status", status).description("runs that got their SessionResult")
                .register(registry).increment();
    }

    public void sessionPurged() {
        Counter.builder(SESSIONS_PURGED).description("finished sessions forgotten after their audio left the topic")
                .register(registry).increment();
    }

    public void deadLetter(String reason) {
        Counter.builder(DEAD_LETTERS).tag("reason", reason).description("records and sessions rejected")
                .register(registry).increment();
    }

    /** The provider is being given audio it was given before (a resumed turn, or context re-sent as audio). */
    public void audioResent(long millis) {
        Counter.builder(AUDIO_RESENT).baseUnit("milliseconds")
                .description("session audio sent to the provider more than once (crash, retry or rotation)")
                .register(registry).increment(millis);
    }

    public void duplicateChunk() {
        Counter.builder(DUPLICATES).description("exact duplicate chunks absorbed").register(registry).increment();
    }

    public void retry(String reason) {
        Counter.builder(RETRIES).tag("reason", reason).description("session attempts retried after a transient failure")
                .register(registry).increment();
    }

    public void rateLimited() {
        Counter.builder(RATE_LIMITED).description("times admission paused for a provider rate limit")
                .register(registry).increment();
    }

    public void attemptLatency(Duration duration, String outcome) {
        Timer.builder(PROVIDER_LATENCY).tag("outcome", outcome).description("one session attempt at the provider")
                .register(registry).record(duration);
    }
}
