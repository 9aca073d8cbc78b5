package dev.streamscribe.registry;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach a Confluent-API schema registry.
 *
 * @param baseUrl        the API root, e.g. {@code http://127.0.0.1:8081} (Confluent) or
 *                       {@code http://127.0.0.1:8080/apis/ccompat/v7} (Apicurio); https uses the JDK's TLS and trust store
 * @param basicAuth      credentials, if the registry wants them
 * @param requestTimeout bound on every call: a slow registry fails with RegistryUnavailableException, never hangs
 * @param autoRegister   register unknown writer schemas; when false only pre-registered schemas are used
 * @param outageBudget   how long the serde paths ({@code idFor}, {@code schemaById}) keep retrying, with backoff,
 *                       while the registry is unavailable before giving up; zero fails at once
 */
public record RegistryClientConfig(URI baseUrl, Optional<BasicCredentials> basicAuth, Duration requestTimeout,
                                   boolean autoRegister, Duration outageBudget) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public RegistryClientConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(basicAuth, "basicAuth");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(outageBudget, "outageBudget");
        String scheme = baseUrl.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("registry URL must be http or https: " + baseUrl);
        }
        if (requestTimeout.isZero() || requestTimeout.isNegative()) {
            throw new IllegalArgumentException("registry request timeout must be positive: " + requestTimeout);
        }
        String text = baseUrl.toString();
        if (text.endsWith("/")) {
            baseUrl = URI.create(text.substring(0, text.length() - 1));
        }
    }

    public RegistryClientConfig(URI baseUrl, Optional<BasicCredentials> basicAuth, Duration requestTimeout,
                                boolean autoRegister) {
        this(baseUrl, basicAuth, requestTimeout, autoRegister, Duration.ZERO);
    }

    public static RegistryClientConfig of(String baseUrl) {
        return new RegistryClientConfig(URI.create(baseUrl), Optional.empty(), DEFAULT_TIMEOUT, true);
    }

    public RegistryClientConfig withAutoRegister(boolean value) {
        return new RegistryClientConfig(baseUrl, basicAuth, requestTimeout, value, outageBudget);
    }

    public RegistryClientConfig withBasicAuth(BasicCredentials value) {
        return new RegistryClientConfig(baseUrl, Optional.of(value), requestTimeout, autoRegister, outageBudget);
    }
}
