package dev.streamscribe.config;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which {@code kafka.*} or {@code streams.*} key an environment variable overrides, the way Confluent's images
 * name them: {@code STREAMSCRIBE_KAFKA_SASL_JAAS_CONFIG} is {@code kafka.sasl.jaas.config}; {@code _} is a dot,
 * {@code __} an underscore and {@code ___} a dash.
 */
final class EnvironmentKeys {
    private static final String KAFKA_ENV_PREFIX = "STREAMSCRIBE_KAFKA_";
    private static final String STREAMS_ENV_PREFIX = "STREAMSCRIBE_STREAMS_";
    /** Longest first, left to right: "____" is "___" then "_". */
    private static final Pattern UNDERSCORES = Pattern.compile("___|__|_");

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
        String key = UNDERSCORES.matcher(rest.toLowerCase(Locale.ROOT)).replaceAll(run -> switch (run.group().length()) {
            case 3 -> "-";
            case 2 -> "_";
            default -> ".";
        });
        return Optional.of(prefix + key);
    }
}
