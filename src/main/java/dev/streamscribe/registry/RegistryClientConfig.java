package dev.streamscribe.registry;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach a Confluent-API schema registry.
 *
 * @param baseUrl        the API root, e.g. {@code http://127.0.0.1:8081} (Confluent) or
 *                       {@code http://127.0.0.1:8080/apis/ccompat/v7} (Apicurio); https verifies the registry's
 *                       certificate and host name against {@code sslContext}, else the JDK's trust store
 * @param authorization  basic-auth credentials or a bearer token, if the registry wants them
 * @param requestTimeout bound on every call: a slow registry fails with RegistryUnavailableException, never hangs
 * @param autoRegister   register unknown writer schemas; when false only pre-registered schemas are used
 * @param outageBudget   how long the serde paths ({@code idFor}, {@code schemaById}) keep retrying, with backoff,
 *                       while the registry is unavailable before giving up; zero fails at once
 * @param sslContext     what https certificates are verified against (a configured truststore), if not the JDK's
 */
public record RegistryClientConfig(URI baseUrl, Optional<? extends Authorization> authorization, Duration requestTimeout,
                                   boolean autoRegister, Duration outageBudget, Optional<SSLContext> sslContext) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** The Authorization header the registry is sent; {@code toString()} never shows the secret. */
    public sealed interface Authorization permits BasicCredentials, Bearer {
        String authorizationHeader();
    }

    /** A bearer token (an OAuth access token, a Confluent Cloud API token). */
    public record Bearer(String token) implements Authorization {
        public Bearer {
            Objects.requireNonNull(token, "token");
            if (token.isBlank()) {
                throw new IllegalArgumentException("the registry's bearer token is empty");
            }
        }

        @Override
        public String authorizationHeader() {
            return "Bearer " + token;
        }

        @Override
        public String toString() {
            return "Bearer[***]";
        }
    }

    public RegistryClientConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(authorization, "authorization");
        Objects.requireNonNull(sslContext, "sslContext");
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

    public RegistryClientConfig(URI baseUrl, Optional<? extends Authorization> authorization, Duration requestTimeout,
                                boolean autoRegister) {
        this(baseUrl, authorization, requestTimeout, autoRegister, Duration.ZERO, Optional.empty());
    }

    public RegistryClientConfig(URI baseUrl, Optional<? extends Authorization> authorization, Duration requestTimeout,
                                boolean autoRegister, Duration outageBudget) {
        this(baseUrl, authorization, requestTimeout, autoRegister, outageBudget, Optional.empty());
    }

    public static RegistryClientConfig of(String baseUrl) {
        return new RegistryClientConfig(URI.create(baseUrl), Optional.empty(), DEFAULT_TIMEOUT, true);
    }

    public RegistryClientConfig withAutoRegister(boolean value) {
        return new RegistryClientConfig(baseUrl, authorization, requestTimeout, value, outageBudget, sslContext);
    }

    public RegistryClientConfig withAuthorization(Authorization value) {
        return new RegistryClientConfig(baseUrl, Optional.of(value), requestTimeout, autoRegister, outageBudget, sslContext);
    }

    public RegistryClientConfig withSslContext(SSLContext value) {
        return new RegistryClientConfig(baseUrl, authorization, requestTimeout, autoRegister, outageBudget,
                Optional.of(value));
    }
}
