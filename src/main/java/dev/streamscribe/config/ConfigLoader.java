package dev.streamscribe.config;

import dev.streamscribe.cost.PriceTable;
import dev.streamscribe.realtime.Dialect;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Loads a {@link PipelineConfig} from a properties file, then environment overrides ({@code STREAMSCRIBE_<KEY>},
 * the key upper-cased with dots and dashes as underscores), then flags; later sources win. Every key is declared
 * in {@link #KEYS}; an unknown key, a missing required key or a bad value fails at start-up with a message naming
 * the key, where the value came from and what is allowed. Keys under {@code kafka.} and {@code streams.} are passed
 * to the Kafka clients and to Kafka Streams unchanged; their environment overrides are
 * {@code STREAMSCRIBE_KAFKA_<KEY>} and {@code STREAMSCRIBE_STREAMS_<KEY>} ({@code _} for a dot, {@code __} for an
 * underscore, {@code ___} for a dash, as Confluent's images do).
 *
 * <p>Any value may hold Kafka config-provider references ({@link ConfigReferences}): streamscribe's own plain
 * settings are resolved here; {@code kafka.*} and {@code streams.*} values and the secret keys ({@link #SECRET_KEYS})
 * are kept as written and resolved where they are used, so the configuration never holds a secret. Every reference
 * is checked here all the same, so a missing variable or file fails at start-up, naming the key.
 */
public final class ConfigLoader {
    public static final String KAFKA_PASSTHROUGH = "kafka.";
    public static final String STREAMS_PASSTHROUGH = "streams.";

    /** Every key this loader accepts (ConfigKeys: defaults and meanings). */
    public static final List<ConfigKeys.Key> KEYS = ConfigKeys.ALL;

    /** Keys whose value must be a config-provider reference: a literal would put the secret in a file or on a command line. */
    public static final List<String> SECRET_KEYS = List.of("realtime.api-key", "schema.registry.basic-auth",
            "schema.registry.bearer-token");

    /** Keys kept as written (references unresolved) in {@link PipelineConfig}: resolved where they are used. */
    private static final List<String> RESOLVED_AT_USE = List.of("realtime.api-key", "schema.registry.basic-auth",
            "schema.registry.bearer-token", "realtime.truststore.password", "schema.registry.truststore.password");

    private static final Map<String, ConfigKeys.Key> BY_NAME = KEYS.stream()
            .collect(Collectors.toMap(ConfigKeys.Key::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));

    private record Value(String text, String source) {
    }

    private final Map<String, Value> values = new TreeMap<>();
    private final Map<String, String> env;
    private final ConfigReferences references;

    private ConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
        this.references = new ConfigReferences(env);
    }

    /** The environment variable that overrides {@code key}. */
    public static String envNameOf(String key) {
        return "STREAMSCRIBE_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Loads {@code file}, then {@code env} overrides, then {@code flags}. */
    public static PipelineConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        ConfigLoader loader = new ConfigLoader(env);
        loader.readFile(file);
        loader.readEnv(env);
        flags.forEach((key, value) -> loader.put(key, value, "flag"));
        return loader.build();
    }

    /** Loads from explicit key/values only (tests, demo), then {@code env} overrides. */
    public static PipelineConfig fromMap(Map<String, String> settings, Map<String, String> env) {
        ConfigLoader loader = new ConfigLoader(env);
        settings.forEach((key, value) -> loader.put(key, value, "settings"));
        loader.readEnv(env);
        return loader.build();
    }

    private void readFile(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--config", "configuration file " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("--config", "cannot read configuration file " + file + ": " + e.getMessage());
        }
        props.stringPropertyNames().forEach(key -> put(key, props.getProperty(key).trim(), "file " + file));
    }

    private void readEnv(Map<String, String> env) {
        for (ConfigKeys.Key key : KEYS) {
            String value = env.get(key.envName());
            if (value != null) {
                put(key.name(), value.trim(), "environment " + key.envName());
            }
        }
        new TreeMap<>(env).forEach((name, value) -> EnvironmentKeys.passthroughKey(name).ifPresent(key ->
                put(key, value.trim(), "environment " + name)));
    }

    private void put(String key, String value, String source) {
        if (key.startsWith(ConfigKeys.PROVIDERS_PREFIX) && providerField(key).isEmpty()) {
            throw new ConfigException(key, "unknown configuration key '" + key + "' (from " + source + "): a further "
                    + "provider's keys are providers.NAME.FIELD, NAME of lower-case letters, digits and '-', FIELD one "
                    + "of " + String.join(", ", ConfigKeys.PROVIDER_FIELDS.stream().map(ConfigKeys.Key::name).toList()));
        }
        if (!BY_NAME.containsKey(key) && !key.startsWith(KAFKA_PASSTHROUGH) && !key.startsWith(STREAMS_PASSTHROUGH)
                && !key.startsWith(ConfigKeys.PROVIDERS_PREFIX)) {
            throw new ConfigException(key, "unknown configuration key '" + key + "' (from " + source + ")"
                    + KeySuggestions.closest(key, BY_NAME.keySet()) + "; known keys: " + String.join(", ", BY_NAME.keySet())
                    + ", providers.NAME.* (further providers), and kafka.* / streams.* passed to Kafka");
        }
        values.put(key, new Value(value, source));
    }

    private PipelineConfig build() {
        String prefix = string("topic.prefix");
        PipelineConfig.Topics topics = new PipelineConfig.Topics(
                topicName(prefix, "topic.session-configs"), topicName(prefix, "topic.audio-chunks"),
                topicName(prefix, "topic.transcriptions"), topicName(prefix, "topic.responses"),
                topicName(prefix, "topic.session-results"), topicName(prefix, "topic.dead-letters"));
        PipelineConfig.Kafka kafka = new PipelineConfig.Kafka(bootstrapServers(), (int) integer("topic.partitions", 1, 10_000),
                (short) integer("topic.replication-factor", 1, Short.MAX_VALUE), passthrough(KAFKA_PASSTHROUGH));
        URI registryUrl = uri("schema.registry.url", List.of("http", "https"));
        PipelineConfig.Registry registry = new PipelineConfig.Registry(registryUrl, bool("schema.registry.auto-register"),
                optionalEnvName("schema.registry.basic-auth-env"),
                Duration.ofMillis(integer("schema.registry.request-timeout-ms", 100, 600_000)),
                secretReference("schema.registry.basic-auth"), secretReference("schema.registry.bearer-token"),
                trustStore("schema.registry.truststore"));
        if (registry.basicAuth().isPresent() && registry.bearerToken().isPresent()) {
            throw invalid("schema.registry.bearer-token", "and schema.registry.basic-auth are both set: the registry "
                    + "takes one Authorization header; keep the one it expects");
        }
        String dialectText = string("realtime.dialect");
        Dialect dialect = Dialect.fromId(dialectText).orElseThrow(() -> invalid("realtime.dialect",
                "is not a known dialect; allowed: " + Dialect.allowed()));
        URI realtimeUrl = uri("realtime.url", List.of("ws", "wss"));
        PipelineConfig.Realtime realtime = new PipelineConfig.Realtime(dialect,
                realtimeUrl,
                optionalEnvName("realtime.api-key-env"),
                optional("realtime.api-key-file").map(Path::of),
                secretReference("realtime.api-key"),
                trustStore("realtime.truststore"),
                (int) integer("realtime.max-concurrent-sessions", 1, 100_000),
                (int) integer("realtime.max-attempts", 1, 100),
                (int) integer("realtime.max-dispatches", 1, 1_000),
                Duration.ofMillis(integer("realtime.session-timeout-ms", 1_000, 24L * 3_600_000)),
                Duration.ofMillis(integer("realtime.item-timeout-ms", 100, 3_600_000)),
                Duration.ofMillis(integer("realtime.transcription-wait-ms", 100, 3_600_000)),
                decimal("realtime.transcription-wait-per-audio", 0, 100),
                new PipelineConfig.Live(Duration.ofMillis(integer("realtime.live-idle-close-ms", 100, 3_600_000)),
                        (int) integer("realtime.live-reserved-sessions", 0, 100_000),
                        (int) integer("realtime.max-live-sessions", 0, 1_000_000)),
                new PipelineConfig.Breaker((int) integer("provider.breaker.failures", 1, 10_000),
                        Duration.ofMillis(integer("provider.breaker.pause-ms", 100, 3_600_000)),
                        Duration.ofMillis(integer("provider.breaker.max-pause-ms", 100, 24L * 3_600_000)),
                        Duration.ofMillis(integer("provider.breaker.grace-ms", 0, 600_000)),
                        Duration.ofMillis(integer("provider.quota-pause-ms", 1_000, 30L * 24 * 3_600_000))));
        Optional<String> instanceId = optional("instance.id");
        instanceId.ifPresent(id -> {
            if (!id.matches("[A-Za-z0-9._-]+")) {
                throw invalid("instance.id", "may contain only letters, digits, '.', '_' and '-'");
            }
        });
        int operationsPort = (int) integer("operations.port", -1, 65535);
        String operationsHost = string("operations.host");
        if (!operationsHost.matches("[A-Za-z0-9.:_-]+")) {
            throw invalid("operations.host", "is not an address or host name (e.g. 127.0.0.1, or 0.0.0.0 for every "
                    + "interface)");
        }
        Duration drainTimeout = Duration.ofMillis(integer("shutdown.drain-timeout-ms", 0, 3_600_000));
        PipelineConfig.Streams streams = new PipelineConfig.Streams(Path.of(string("state.dir")), instanceId, operationsHost,
                operationsPort,
                drainTimeout,
                Duration.ofMillis(integer("commit.interval.ms", 1, 600_000)),
                Duration.ofMillis(integer("session.idle-timeout-ms", 1_000, 30L * 24 * 3_600_000)),
                passthrough(STREAMS_PASSTHROUGH), bool("processing.unsafe-at-least-once"),
                new PipelineConfig.SessionLimits(integer("session.max-chunks", 1, Long.MAX_VALUE),
                        Duration.ofMillis(integer("session.max-audio-ms", 1_000, Long.MAX_VALUE)),
                        (int) integer("session.max-turns", 1, Integer.MAX_VALUE),
                        Duration.ofMillis(integer("session.max-age-ms", 60_000, Long.MAX_VALUE)),
                        Duration.ofMillis(integer("session.live-max-age-ms", 60_000, Long.MAX_VALUE))));
        String applicationId = string("application.id");
        if (!applicationId.matches("[A-Za-z0-9._-]+") || applicationId.matches("\\.+")) {
            // it names the state folder that `reset` deletes: "." or ".." would name another folder
            throw invalid("application.id", "may contain only letters, digits, '.', '_' and '-', and not be only dots");
        }
        refuseKeyInClearText(realtime);
        checkReferences(KAFKA_PASSTHROUGH);
        checkReferences(STREAMS_PASSTHROUGH);
        LogFormat logFormat = LogFormat.fromId(string("log.format"))
                .orElseThrow(() -> invalid("log.format", "is not a log format; allowed: text, json"));
        PriceTable prices = PriceTable.of(optional("pricing.file").map(Path::of));
        return new PipelineConfig(applicationId, kafka, topics, registry, realtime, streams, logFormat,
                string("ffmpeg.path"), prices, PoolKeys.budget(this), PoolKeys.providers(this, realtime));
    }

    /**
     * A key that would travel unencrypted (ws://) to another machine is refused: only loopback (the local server, a
     * sidecar proxy) may be reached without TLS while a key is configured.
     */
    private void refuseKeyInClearText(PipelineConfig.Realtime realtime) {
        boolean keyConfigured = realtime.apiKey().isPresent() || realtime.apiKeyFile().isPresent()
                || realtime.apiKeyEnv().map(env::get).filter(v -> !v.isBlank()).isPresent();
        if (keyConfigured && "ws".equals(realtime.url().getScheme()) && !Hosts.isLoopback(realtime.url().getHost())) {
            throw invalid("realtime.url", "sends the API key unencrypted to another machine: use wss://, or, for a "
                    + "server that needs no key, configure none (realtime.api-key-env= with the others empty)");
        }
    }

    /** The passthrough keys' references resolve (checked and dropped: the clients resolve them again when built). */
    private void checkReferences(String prefix) {
        Map<String, String> written = new TreeMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                written.put(key.substring(prefix.length()), value.text());
            }
        });
        references.resolveAll(written, prefix);
    }

    /** A secret key's reference, checked to resolve, kept as written; a literal secret is refused. */
    private Optional<String> secretReference(String key) {
        Optional<String> reference = Optional.of(written(key)).filter(s -> !s.isBlank()).map(String::strip);
        reference.ifPresent(text -> {
            if (!ConfigReferences.isReference(text)) {
                // the message must not echo a literal secret: name the source, not the value
                throw new ConfigException(key, "configuration key '" + key + "' (from " + source(key) + ") must be "
                        + "a config-provider reference, " + ConfigReferences.FORMS + ", not the secret itself: a "
                        + "literal would sit in a file, an image or on a command line");
            }
            references.resolve(key, text);
        });
        return reference;
    }

    /** {@code <prefix>.location/.password/.type}: a truststore, when a location is set. */
    private Optional<PipelineConfig.TrustStore> trustStore(String prefix) {
        Optional<Path> location = optional(prefix + ".location").map(Path::of);
        if (location.isEmpty()) {
            return Optional.empty();
        }
        if (!Files.isReadable(location.get())) {
            throw invalid(prefix + ".location", "is not a readable file");
        }
        String type = string(prefix + ".type").toUpperCase(Locale.ROOT);
        if (!type.equals("PKCS12") && !type.equals("JKS")) {
            throw invalid(prefix + ".type", "is not a truststore type; allowed: PKCS12, JKS");
        }
        Optional<String> password = Optional.of(written(prefix + ".password")).filter(s -> !s.isBlank());
        password.ifPresent(text -> references.resolve(prefix + ".password", text));
        return Optional.of(new PipelineConfig.TrustStore(location.get(), type, password));
    }

    /** The value as written, its references resolved unless the key is one resolved where it is used. */
    private String raw(String key) {
        String written = written(key);
        return RESOLVED_AT_USE.contains(key) ? written : references.resolve(key, written);
    }

    private String written(String key) {
        Value value = values.get(key);
        if (value != null) {
            return value.text();
        }
        String fallback = keyOf(key).defaultValue();
        if (fallback == null) {
            throw new ConfigException(key, "required configuration key '" + key + "' is missing: "
                    + keyOf(key).doc() + " (set it in the file, as " + envNameOf(key) + ", or as a flag)");
        }
        return fallback;
    }

    /** The known key {@code key}, or the field of a further provider it names. */
    private static ConfigKeys.Key keyOf(String key) {
        ConfigKeys.Key known = BY_NAME.get(key);
        return known != null ? known : providerField(key).orElseThrow(() -> new IllegalArgumentException(key));
    }

    /** The field {@code providers.NAME.FIELD} names, when NAME and FIELD are well formed. */
    private static Optional<ConfigKeys.Key> providerField(String key) {
        if (!key.startsWith(ConfigKeys.PROVIDERS_PREFIX)) {
            return Optional.empty();
        }
        String rest = key.substring(ConfigKeys.PROVIDERS_PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot <= 0 || !rest.substring(0, dot).matches("[a-z0-9-]+")) {
            return Optional.empty();
        }
        String field = rest.substring(dot + 1);
        return ConfigKeys.PROVIDER_FIELDS.stream().filter(f -> f.name().equals(field)).findFirst();
    }

    private String source(String key) {
        Value value = values.get(key);
        return value == null ? "default" : value.source();
    }

    ConfigException invalid(String key, String problem) {
        return new ConfigException(key, "configuration key '" + key + "' = '" + written(key) + "' (from " + source(key)
                + ") " + problem);
    }

    String string(String key) {
        String text = raw(key);
        if (text.isBlank()) {
            throw invalid(key, "must not be empty: " + keyOf(key).doc());
        }
        return text;
    }

    Optional<String> optional(String key) {
        return Optional.of(raw(key)).filter(s -> !s.isBlank());
    }

    Optional<String> optionalEnvName(String key) {
        Optional<String> name = optional(key);
        name.ifPresent(n -> {
            if (!n.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw invalid(key, "must be the name of an environment variable (letters, digits, '_'), not a value");
            }
        });
        return name;
    }

    long integer(String key, long min, long max) {
        long parsed;
        try {
            parsed = Long.parseLong(string(key));
        } catch (NumberFormatException e) {
            throw invalid(key, "is not a whole number; allowed: " + min + ".." + max);
        }
        if (parsed < min || parsed > max) {
            throw invalid(key, "is out of range; allowed: " + min + ".." + max);
        }
        return parsed;
    }

    private double decimal(String key, double min, double max) {
        double parsed;
        try {
            parsed = Double.parseDouble(string(key));
        } catch (NumberFormatException e) {
            throw invalid(key, "is not a number; allowed: " + min + ".." + max);
        }
        if (!(parsed >= min && parsed <= max)) {
            throw invalid(key, "is out of range; allowed: " + min + ".." + max);
        }
        return parsed;
    }

    /** Keys whose names begin with {@code prefix}, as written. */
    Set<String> keysStartingWith(String prefix) {
        return values.keySet().stream().filter(key -> key.startsWith(prefix))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Whether the environment variable {@code name} holds a value. */
    boolean envHas(String name) {
        return env.get(name) != null && !env.get(name).isBlank();
    }

    private boolean bool(String key) {
        return switch (string(key)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, "is not a boolean; allowed: true, false");
        };
    }

    URI uri(String key, List<String> schemes) {
        URI uri;
        try {
            uri = new URI(string(key));
        } catch (URISyntaxException e) {
            throw invalid(key, "is not a URL: " + e.getReason());
        }
        if (uri.getScheme() == null || !schemes.contains(uri.getScheme()) || uri.getHost() == null) {
            throw invalid(key, "must be a URL with a host and scheme " + String.join(" or ", schemes));
        }
        return uri;
    }

    private String bootstrapServers() {
        String text = string("bootstrap.servers");
        for (String server : text.split(",")) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            boolean valid = colon > 0 && colon < s.length() - 1 && s.substring(colon + 1).chars().allMatch(Character::isDigit);
            if (!valid) {
                throw invalid("bootstrap.servers", "has '" + s + "', which is not host:port");
            }
        }
        return text;
    }

    private String topicName(String prefix, String key) {
        String name = prefix + string(key);
        if (!name.matches("[A-Za-z0-9._-]{1,249}")) {
            throw invalid(key, "gives topic name '" + name + "', but Kafka allows only letters, digits, '.', '_' and '-' (at most 249)");
        }
        return name;
    }

    private Map<String, String> passthrough(String prefix) {
        Map<String, String> result = new TreeMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                result.put(key.substring(prefix.length()), value.text());
            }
        });
        return result;
    }
}
