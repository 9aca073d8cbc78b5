package dev.streamscribe.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Which {@code kafka.*} or {@code streams.*} key an environment variable overrides, the way Confluent's images
 * name them: {@code STREAMSCRIBE_KAFKA_SASL_JAAS_CONFIG} is {@code kafka.sasl.jaas.config}; {@code _} is a dot,
 * {@code __} an underscore and {@code ___} a dash.
 */
final class EnvironmentKeys {
    private static final String KAFKA_ENV_PREFIX = "STREAMSCRIBE_KAFKA_";
    private static final String STREAMS_ENV_PREFIX = "STREAMSCRIBE_STREAMS_";

    private EnvironmentKeys() {
    }

    /** The passthrough key {@code envName} overrides, if it is one of those variables. */
    static Optional<String> passthroughKey(String envName) {
        String prefix;
        String rest;
        if (envName.startsWith(KAFKA_ENV_PREFIX)) {
            prefix = ConfigLoader.KAFKA_PASSTHROUGH;
            rest = envName.substring(KAFKA_ENV_PREFIX.length());
        } else if (envName.startsWith(STREAMS_ENV_PREFIX)) {
            prefix = ConfigLoader.STREAMS_PASSTHROUGH;
            rest = envName.substring(STREAMS_ENV_PREFIX.length());
        } else {
            return Optional.empty();
        }
        if (rest.isEmpty()) {
            return Optional.empty();
        }
        String key = rest.toLowerCase(Locale.ROOT).replace("___", "\u0001").replace("__", "\u0002").replace('_', '.')
                .replace('\u0001', '-').replace('\u0002', '_');
        return Optional.of(prefix + key);
    }
}
