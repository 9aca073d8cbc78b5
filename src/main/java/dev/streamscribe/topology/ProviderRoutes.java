package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.config.ProviderDefinition;
import dev.streamscribe.cost.PriceTable;
import dev.streamscribe.cost.Pricing;
import dev.streamscribe.realtime.Dialect;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The providers of the pool as the dispatcher uses them: which may serve a session ({@link ProviderChoice}), how to
 * reach each (its launcher: a driver on its endpoint) and what its records say ({@link ServedBy}). Admission picks
 * among the eligible ones ({@link AdmissionGate}).
 *
 * <p>Threading: immutable.
 */
final class ProviderRoutes {
    /** One provider: its definition, its launcher, what its records say. */
    record Route(ProviderDefinition definition, SessionLauncher launcher, ServedBy served) {
        Route {
            Objects.requireNonNull(definition, "definition");
            Objects.requireNonNull(launcher, "launcher");
            Objects.requireNonNull(served, "served");
        }

        String name() {
            return definition.name();
        }
    }

    private final List<Route> routes;
    private final Map<String, Route> byName;

    ProviderRoutes(List<Route> routes) {
        this.routes = List.copyOf(routes);
        if (this.routes.isEmpty()) {
            throw new IllegalArgumentException("a pool needs at least one provider");
        }
        this.byName = this.routes.stream().collect(Collectors.toUnmodifiableMap(Route::name, route -> route));
    }

    /**
     * A pool of one provider that serves every session the assembler let through ({@value AdmissionGate#DEFAULT_PROVIDER},
     * openai-ga, the bundled prices): what a gate built without providers admits to.
     */
    static ProviderRoutes single(SessionLauncher launcher) {
        ProviderDefinition definition = new ProviderDefinition(AdmissionGate.DEFAULT_PROVIDER, Dialect.OPENAI_GA,
                URI.create("ws://127.0.0.1/v1/realtime"), Optional.empty(), 1, 0, Map.of(),
                AdmissionGate.DEFAULT_PROVIDER, true);
        return new ProviderRoutes(List.of(new Route(definition, launcher, new ServedBy(definition.name(),
                Dialect.OPENAI_GA.id(), new Pricing(PriceTable.bundled(), definition.priceAs())))));
    }

    /** Whether there is more than one provider to choose from. */
    boolean several() {
        return routes.size() > 1;
    }

    Route get(String name) {
        Route route = byName.get(name);
        if (route == null) {
            throw new IllegalArgumentException("no provider named '" + name + "'");
        }
        return route;
    }

    /** The highest-priority provider: what records of a run no provider served name (a crash loop). */
    Route primary() {
        return routes.getFirst();
    }

    /**
     * The providers that may serve {@code config}, by name. With one provider, every session the assembler let
     * through; otherwise decided per provider.
     */
    Predicate<String> eligibleFor(SessionConfig config) {
        if (routes.size() == 1) {
            return name -> true;
        }
        return name -> ProviderChoice.refusal(config, get(name).definition()).isEmpty();
    }

    /** {@code config} as the provider serving it is asked: its names for the session's models. */
    SessionConfig forProvider(SessionConfig config, Route route) {
        return ProviderChoice.mapped(config, route.definition()).orElse(config);
    }
}
