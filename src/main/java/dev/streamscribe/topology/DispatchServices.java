package dev.streamscribe.topology;

import dev.streamscribe.metrics.PipelineMetrics;

import java.util.Objects;

/**
 * What the dispatcher and the drain of every task in one JVM share: the admission gate, the per-task queues, the
 * providers (how to reach each), the retry policy and the meters. Built once, before the topology, in this order:
 * meters, gate (the driver's rate-limit listener), driver, launcher; no part refers back to another.
 *
 * <p>Threading: immutable; each part is thread-safe as its own class says.
 */
public record DispatchServices(AdmissionGate gate, DispatchQueues queues, ProviderRoutes routes, RetryPolicy retry,
                               PipelineMetrics metrics) {
    public DispatchServices {
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(queues, "queues");
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(metrics, "metrics");
    }

    /** The services of one JVM, with the waiting and in-flight gauges bound to {@code metrics}. */
    public static DispatchServices create(int maxConcurrentSessions, SessionLauncher launcher, RetryPolicy retry,
                                          PipelineMetrics metrics) {
        return create(new AdmissionGate(maxConcurrentSessions, metrics), launcher, retry, metrics);
    }

    /** As above, with a gate made beforehand, its one provider reached through {@code launcher}. */
    public static DispatchServices create(AdmissionGate gate, SessionLauncher launcher, RetryPolicy retry,
                                          PipelineMetrics metrics) {
        return create(gate, ProviderRoutes.single(launcher), retry, metrics);
    }

    /** The services of one JVM with a pool of providers ({@code routes}, named as {@code gate}'s providers). */
    static DispatchServices create(AdmissionGate gate, ProviderRoutes routes, RetryPolicy retry,
                                   PipelineMetrics metrics) {
        DispatchQueues queues = new DispatchQueues();
        metrics.bindGauges(queues::waiting, gate::inFlight);
        metrics.bindLiveGauges(gate::liveInFlight, gate::liveWaiting, () -> gate.livePlaces().queued());
        for (ProviderGate provider : gate.providers()) {
            routes.get(provider.name()); // every provider admission may pick can be reached
            metrics.bindBreaker(provider.name(), () -> provider.breaker().state().ordinal(),
                    () -> provider.breaker().timesOpened());
        }
        return new DispatchServices(gate, queues, routes, retry, metrics);
    }

    /** Whether every session has finished and every outcome has been handed to its task's drain. */
    public boolean drained() {
        return gate.inFlight() == 0 && !queues.outcomesPending();
    }
}
