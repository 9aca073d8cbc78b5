package dev.streamscribe.config;

import dev.streamscribe.realtime.Dialect;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import dev.streamscribe.cost.Budget;
import dev.streamscribe.cost.PriceTable;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated pipeline definition: what {@code topologies/<name>.properties} says, with environment overrides and
 * flags applied. Built only by {@link ConfigLoader}, which names the key of any invalid value. Holds where secrets
 * live (an environment variable's name, a file, a config-provider reference such as {@code ${dir:/secrets:key}}),
 * never a secret: {@code kafka.*} and {@code streams.*} values are kept as written and resolved by
 * {@link ConfigReferences} when a client is built.
 */
public record PipelineConfig(String applicationId, Kafka kafka, Topics topics, Registry registry, Realtime realtime,
                             Streams streams, LogFormat logFormat, String ffmpegPath, PriceTable prices,
                             Budget budget, List<ProviderDefinition> providers) {
    public PipelineConfig {
        providers = List.copyOf(providers);
        if (providers.isEmpty()) {
            throw new IllegalArgumentException("a pipeline needs at least one provider");
        }
    }

    /**
     * Kafka connection; {@code clientOverrides} are the {@code kafka.*} keys as written (references unresolved),
     * passed to every client once resolved.
     */
    public record Kafka(String bootstrapServers, int topicPartitions, short replicationFactor,
                        Map<String, String> clientOverrides) {
        public Kafka {
            clientOverrides = Map.copyOf(clientOverrides);
        }
    }

    /** Full topic names (prefix applied). */
    public record Topics(String sessionConfigs, String audioChunks, String transcriptions, String responses,
                         String sessionResults, String deadLetters) {
    }

    /**
     * @param basicAuthEnv name of an environment variable holding {@code user:password}, if the registry needs auth
     * @param basicAuth    a config-provider reference to {@code user:password} (wins over basicAuthEnv)
     * @param bearerToken  a config-provider reference to a bearer token
     * @param trustStore   what the registry's https certificate is verified against, instead of the JDK's
     */
    public record Registry(URI url, boolean autoRegister, Optional<String> basicAuthEnv, Duration requestTimeout,
                           Optional<String> basicAuth, Optional<String> bearerToken, Optional<TrustStore> trustStore) {
        public Registry(URI url, boolean autoRegister, Optional<String> basicAuthEnv, Duration requestTimeout) {
            this(url, autoRegister, basicAuthEnv, requestTimeout, Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /**
     * A truststore file; {@code password} is a literal or a config-provider reference, resolved when it is opened.
     */
    public record TrustStore(Path location, String type, Optional<String> password) {
    }

    /**
     * @param apiKeyEnv  name of the environment variable holding the provider's API key
     * @param apiKeyFile a file whose content is the API key (wins over apiKeyEnv when both are set)
     * @param apiKey     a config-provider reference to the API key (wins over both)
     * @param trustStore what the provider's wss:// certificate is verified against, instead of the JDK's
     * @param maxAttempts   attempts per run (session-specific transient failures)
     * @param maxDispatches connections in a row that may end with no outcome (crash loop) before the run fails
     * @param transcriptionWait         a turn's transcription may take this long, plus the share below
     * @param transcriptionWaitPerAudio extra wait per second of the turn's audio
     * @param live          how live sessions (start AT_FIRST_TURN) hold connections and slots
     * @param breaker       when a provider outage pauses admission
     */
    public record Realtime(Dialect dialect, URI url, Optional<String> apiKeyEnv, Optional<Path> apiKeyFile,
                           Optional<String> apiKey, Optional<TrustStore> trustStore, int maxConcurrentSessions, int maxAttempts, int maxDispatches, Duration sessionTimeout,
                           Duration itemTimeout, Duration transcriptionWait, double transcriptionWaitPerAudio,
                           Live live, Breaker breaker) {
    }

    /**
     * Live sessions ({@code realtime.live-*}, {@code realtime.max-live-sessions}).
     *
     * @param idleClose     how long a live session's connection waits for its next turn before it closes
     * @param reservedSlots slots held back from batch sessions while live sessions wait without a connection
     * @param maxSessions   live sessions that may hold a place (priority); the rest queue like batch sessions
     */
    public record Live(Duration idleClose, int reservedSlots, int maxSessions) {
    }

    /**
     * The provider breaker ({@code provider.breaker.*}).
     *
     * @param failures sessions in a row whose connections fail that open it
     * @param pause    the first pause of admission; doubled on each reopening
     * @param maxPause the longest pause
     * @param grace    how long a connection failure waits to learn whether it was part of an outage
     * @param quotaPause how long an exhausted quota pauses admission when no operator resumes it first
     */
    public record Breaker(int failures, Duration pause, Duration maxPause, Duration grace, Duration quotaPause) {
    }

    /**
     * Kafka Streams settings; {@code overrides} are the {@code streams.*} keys, passed unchanged.
     *
     * @param instanceId     stable name of this instance, for static group membership
     * @param operationsHost the address /metrics, /health and /ready listen on (127.0.0.1; 0.0.0.0 in containers)
     * @param operationsPort their port; 0 any free port, -1 off
     * @param drainTimeout   on a graceful stop, how long sessions in flight may take to finish
     * @param unsafeAtLeastOnce a processing guarantee other than exactly_once_v2 in {@code overrides} is accepted
     * @param sessionLimits  what one session may hold
     */
    public record Streams(Path stateDir, Optional<String> instanceId, String operationsHost, int operationsPort,
                          Duration drainTimeout,
                          Duration commitInterval,
                          Duration sessionIdleTimeout,
                          Map<String, String> overrides,
                          boolean unsafeAtLeastOnce,
                          SessionLimits sessionLimits) {
        public Streams {
            overrides = Map.copyOf(overrides);
        }
    }

    /**
     * What one session may hold (session.max-chunks, session.max-audio-ms, session.max-turns), and how long a run may
     * take to become complete (session.max-age-ms; session.live-max-age-ms for a live session).
     */
    public record SessionLimits(long maxChunks, Duration maxAudio, int maxTurns, Duration maxAge, Duration liveMaxAge) {
    }
}
