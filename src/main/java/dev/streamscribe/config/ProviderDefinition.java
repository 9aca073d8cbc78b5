package dev.streamscribe.config;

import dev.streamscribe.realtime.Dialect;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One realtime provider of the pool (docs/operations.md section 8): the one {@code realtime.*} describes, and each
 * {@code providers.NAME.*}. Sessions go to the highest-priority provider that can take them. Immutable; holds
 * where the key is (an environment variable's name), never the key.
 *
 * @param priority   higher goes first; equal priorities in name order
 * @param models     session model name -> the provider's name for it; empty: every model under its own name
 * @param priceAs    the provider's name in the price table (openai, inworld, or the operator's own entry)
 * @param configured true for the {@code realtime.*} provider, whose key, key file and truststore are
 *                   {@link PipelineConfig.Realtime}'s
 */
public record ProviderDefinition(String name, Dialect dialect, URI url, Optional<String> apiKeyEnv,
                                 int maxConcurrentSessions, int priority, Map<String, String> models, String priceAs,
                                 boolean configured) {
    public ProviderDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(apiKeyEnv, "apiKeyEnv");
        models = Map.copyOf(models);
        Objects.requireNonNull(priceAs, "priceAs");
    }

    /** The provider's name for {@code sessionModel}; empty when this provider does not serve it. */
    public Optional<String> model(String sessionModel) {
        if (models.isEmpty()) {
            return Optional.of(sessionModel);
        }
        return Optional.ofNullable(models.get(sessionModel));
    }
}
