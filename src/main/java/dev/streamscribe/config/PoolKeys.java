package dev.streamscribe.config;

import dev.streamscribe.cost.Budget;
import dev.streamscribe.realtime.Dialect;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeSet;

/** The keys of the provider pool ({@code realtime.*} and {@code providers.NAME.*}) and of the budget, checked. */
final class PoolKeys {
    private PoolKeys() {
    }

    /**
     * The provider pool, highest priority first: the {@code realtime.*} one and each {@code providers.NAME}; names
     * are unique, every model map is well formed, and no key travels unencrypted to another machine.
     */
    static List<ProviderDefinition> providers(ConfigLoader keys, PipelineConfig.Realtime realtime) {
        List<ProviderDefinition> providers = new ArrayList<>();
        String defaultName = keys.optional("realtime.provider-name").orElse(realtime.dialect().vendor());
        if (!defaultName.matches("[a-z0-9-]+")) {
            throw keys.invalid("realtime.provider-name", "may contain only lower-case letters, digits and '-'");
        }
        providers.add(new ProviderDefinition(defaultName, realtime.dialect(), realtime.url(), realtime.apiKeyEnv(),
                realtime.maxConcurrentSessions(), (int) keys.integer("realtime.priority", -1_000, 1_000),
                models(keys, "realtime.models"), realtime.dialect().vendor(), true));
        TreeSet<String> names = new TreeSet<>();
        keys.keysStartingWith(ConfigKeys.PROVIDERS_PREFIX).forEach(key -> names.add(key.substring(
                ConfigKeys.PROVIDERS_PREFIX.length(), key.indexOf('.', ConfigKeys.PROVIDERS_PREFIX.length()))));
        for (String name : names) {
            String prefix = ConfigKeys.PROVIDERS_PREFIX + name + ".";
            if (name.equals(defaultName)) {
                throw keys.invalid(prefix + "url", "names a provider '" + name + "' that realtime.* already defines "
                        + "(realtime.provider-name): give it another name");
            }
            Dialect dialect = Dialect.fromId(keys.string(prefix + "dialect")).orElseThrow(() -> keys.invalid(prefix + "dialect",
                    "is not a known dialect; allowed: " + Dialect.allowed()));
            URI url = keys.uri(prefix + "url", List.of("ws", "wss"));
            Optional<String> keyEnv = keys.optionalEnvName(prefix + "api-key-env");
            if (keyEnv.filter(keys::envHas).isPresent() && "ws".equals(url.getScheme())
                    && !Hosts.isLoopback(url.getHost())) {
                throw keys.invalid(prefix + "url", "sends the API key unencrypted to another machine: use wss://");
            }
            providers.add(new ProviderDefinition(name, dialect, url, keyEnv,
                    (int) keys.integer(prefix + "max-concurrent-sessions", 1, 100_000),
                    (int) keys.integer(prefix + "priority", -1_000, 1_000), models(keys, prefix + "models"),
                    keys.optional(prefix + "price-as").orElse(dialect.vendor()), false));
        }
        providers.sort(Comparator.comparingInt(ProviderDefinition::priority).reversed()
                .thenComparing(ProviderDefinition::name));
        return List.copyOf(providers);
    }

    /** {@code session-model[=provider-model],...}; empty: every model under its own name. */
    private static Map<String, String> models(ConfigLoader keys, String key) {
        Map<String, String> models = new LinkedHashMap<>();
        for (String entry : keys.optional(key).map(text -> text.split(",")).orElse(new String[0])) {
            String[] pair = entry.strip().split("=", -1);
            if (pair.length > 2 || pair[0].isBlank() || (pair.length == 2 && pair[1].isBlank())) {
                throw keys.invalid(key, "has '" + entry.strip() + "'; write session-model or session-model=its-model, "
                        + "separated by commas");
            }
            if (models.put(pair[0].strip(), pair.length == 2 ? pair[1].strip() : pair[0].strip()) != null) {
                throw keys.invalid(key, "maps '" + pair[0].strip() + "' twice");
            }
        }
        return models;
    }

    static Budget budget(ConfigLoader keys) {
        Budget.Period period = switch (keys.string("budget.period")) {
            case "total" -> Budget.Period.TOTAL;
            case "day" -> Budget.Period.DAY;
            case "month" -> Budget.Period.MONTH;
            default -> throw keys.invalid("budget.period", "is not a budget period; allowed: total, day, month");
        };
        Optional<String> written = keys.optional("budget.max-cost");
        if (written.isEmpty()) {
            return new Budget(OptionalDouble.empty(), period);
        }
        double max;
        try {
            max = Double.parseDouble(written.get().strip());
        } catch (NumberFormatException e) {
            throw keys.invalid("budget.max-cost", "is not a number (an amount in the price table's currency, e.g. 200)");
        }
        if (!(max >= 0) || Double.isInfinite(max)) {
            throw keys.invalid("budget.max-cost", "must be an amount >= 0 (0 admits nothing; leave it empty for no budget)");
        }
        return new Budget(OptionalDouble.of(max), period);
    }
}
