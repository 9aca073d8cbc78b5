package dev.streamscribe.topology;

import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.config.ProviderDefinition;
import dev.streamscribe.cost.Pricing;
import dev.streamscribe.cost.SpendLedger;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.ApiKey;
import dev.streamscribe.realtime.RealtimeEndpoint;
import dev.streamscribe.realtime.driver.DriverSettings;
import dev.streamscribe.realtime.driver.RealtimeSessionDriver;
import dev.streamscribe.realtime.transport.RealtimeTransport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Builds what one JVM needs to reach its providers (docs/architecture.md, "Providers"), in dependency order: the
 * spend ledger (admission reads it), one {@link ProviderGate} per provider, then per provider a driver on its
 * endpoint and key, reporting rate limits to its gate, gathered as {@link ProviderRoutes}. Every driver shares the
 * threads, the timer, the sockets and the audio reader.
 */
final class ProviderPool {
    private ProviderPool() {
    }

    /** The application id's spend, published to and read from {@code topic}, with its meters bound. */
    static SpendLedger spendLedger(PipelineConfig config, PipelineMetrics metrics, SpendTopic topic, String instanceName) {
        SpendLedger ledger = new SpendLedger(config.prices().currency(), config.budget(),
                instanceName + "/" + UUID.randomUUID(), topic::publish);
        topic.start(ledger); // the spend so far, before anything is admitted
        metrics.bindBudget(() -> ledger.spent(System.currentTimeMillis()),
                () -> ledger.exhausted(System.currentTimeMillis()) ? 1 : 0, ledger::unpriced);
        return ledger;
    }

    /** One gate per provider, highest priority first, each with its own breaker and pauses. */
    static List<ProviderGate> gates(PipelineConfig config, PipelineMetrics metrics) {
        PipelineConfig.Breaker breaker = config.realtime().breaker();
        List<ProviderGate> gates = new ArrayList<>();
        for (ProviderDefinition provider : config.providers()) {
            gates.add(new ProviderGate(provider.name(), provider.maxConcurrentSessions(),
                    new ProviderBreaker(new ProviderBreaker.Settings(breaker.failures(), breaker.pause(),
                            breaker.maxPause(), breaker.grace())), breaker.quotaPause(), metrics));
        }
        return gates;
    }

    /**
     * @param configuredKey the {@code realtime.*} provider's key, resolved; the others' come from their
     *                      {@code api-key-env}
     */
    static ProviderRoutes routes(PipelineConfig config, Map<String, String> env, Optional<ApiKey> configuredKey,
                                 AdmissionGate gate, RealtimeTransport transport, DriverSettings settings,
                                 Executor threads, ScheduledExecutorService timer, AudioReader audio) {
        List<ProviderRoutes.Route> routes = new ArrayList<>();
        for (ProviderDefinition provider : config.providers()) {
            Optional<ApiKey> key = provider.configured() ? configuredKey
                    : ApiKey.resolve(Optional.empty(), Optional.empty(), provider.apiKeyEnv(), env);
            ProviderGate providerGate = gate.provider(provider.name());
            RealtimeSessionDriver driver = new RealtimeSessionDriver(new RealtimeEndpoint(provider.dialect(),
                    provider.url(), key), transport, settings, threads, timer,
                    limits -> providerGate.rateLimitsReported(limits, System.currentTimeMillis()));
            routes.add(new ProviderRoutes.Route(provider, new DriverSessionLauncher(driver, audio), new ServedBy(
                    provider.name(), provider.dialect().id(), new Pricing(config.prices(), provider.priceAs()))));
        }
        return new ProviderRoutes(routes);
    }
}
