package dev.streamscribe.config;

import dev.streamscribe.realtime.ApiKey;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.RealtimeEndpoint;
import dev.streamscribe.registry.SchemaRegistryClient;
import dev.streamscribe.topology.PipelineTopics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets through Kafka's config providers: references resolve with env, file and dir providers where the value
 * is used, the configuration keeps the reference, and every way a secret could leak or travel in clear text is
 * refused with a message that names the key, never the secret.
 */
class SecretReferencesTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"svc\" password=\"s3cret-jaas\";";

    private static Map<String, String> minimal() {
        return ConfigLoaderTest.minimal();
    }

    /** The error loading {@code minimal()} plus {@code key=value} gives, checked to name {@code key}. */
    private static ConfigException refused(String key, String value, Map<String, String> env) {
        Map<String, String> settings = minimal();
        settings.put(key, value);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(settings, env));
        assertEquals(key, e.key(), e.getMessage());
        return e;
    }

    @Test
    void resolvesEnvFileAndDirectoryReferencesWithKafkasProviders(@TempDir Path dir) throws IOException {
        Path properties = Files.writeString(dir.resolve("kafka.properties"), "password=from-file\n");
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("api-key"), "from-dir\n");
        ConfigReferences references = new ConfigReferences(Map.of("TOKEN", "from-env"));
        assertEquals("a=from-env b=from-file c=from-dir\n", references.resolve("k",
                "a=${env:TOKEN} b=${file:" + properties + ":password} c=${dir:" + secrets + ":api-key}"));
        assertEquals("${vault:secret/x:y} stays", references.resolve("k", "${vault:secret/x:y} stays"),
                "another provider's text is left as it is, as Kafka does");
    }

    @Test
    void namesTheKeyAndTheReferenceWhenAVariableIsNotSet() {
        ConfigException e = refused("kafka.sasl.jaas.config", "${env:KAFKA_JAAS}", Map.of());
        assertTrue(e.getMessage().contains("refers to ${env:KAFKA_JAAS}, which is not set in the environment"),
                e.getMessage());
    }

    @Test
    void namesTheKeyWhenAFileHasNoSuchKeyOrTheDirectoryNoSuchFile(@TempDir Path dir) throws IOException {
        Path properties = Files.writeString(dir.resolve("registry.properties"), "user=svc\n");
        ConfigException file = refused("schema.registry.bearer-token", "${file:" + properties + ":token}", Map.of());
        assertTrue(file.getMessage().contains("is not a key of " + properties), file.getMessage());

        ConfigException missing = refused("realtime.api-key", "${dir:" + dir + ":missing-key}", Map.of());
        assertTrue(missing.getMessage().contains("is not a readable file in " + dir), missing.getMessage());
    }

    @Test
    void keepsKafkaSettingsAsWrittenAndResolvesThemOnlyForTheClients(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("sasl.jaas.config"), JAAS);
        Map<String, String> settings = minimal();
        settings.put("kafka.sasl.jaas.config", "${dir:" + dir + ":sasl.jaas.config}");
        PipelineConfig config = ConfigLoader.fromMap(settings, Map.of());
        assertEquals("${dir:" + dir + ":sasl.jaas.config}", config.kafka().clientOverrides().get("sasl.jaas.config"));
        assertFalse(config.toString().contains("s3cret-jaas"), "the configuration holds no secret");
        assertEquals(JAAS, PipelineTopics.clientProperties(config).get("sasl.jaas.config"));
    }

    @Test
    void takesKafkaAndStreamsSettingsFromStreamscribeKafkaEnvironmentVariables() {
        PipelineConfig config = ConfigLoader.fromMap(minimal(), Map.of(
                "STREAMSCRIBE_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "STREAMSCRIBE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "STREAMSCRIBE_STREAMS_NUM_STANDBY_REPLICAS", "1"));
        assertEquals("SCRAM-SHA-512", config.kafka().clientOverrides().get("sasl.mechanism"));
        assertEquals("SASL_SSL", config.kafka().clientOverrides().get("security.protocol"));
        assertEquals("1", config.streams().overrides().get("num.standby.replicas"));
    }

    @Test
    void mapsDoubleAndTripleUnderscoresToUnderscoresAndDashes() {
        assertEquals(Optional.of("kafka.a_b.c-d"), EnvironmentKeys.passthroughKey("STREAMSCRIBE_KAFKA_A__B_C___D"));
        assertEquals(Optional.empty(), EnvironmentKeys.passthroughKey("STREAMSCRIBE_KAFKA_"));
        assertEquals(Optional.empty(), EnvironmentKeys.passthroughKey("STREAMSCRIBE_REALTIME_URL"));
    }

    @Test
    void refusesALiteralApiKeyWithoutEchoingIt() {
        ConfigException e = refused("realtime.api-key", "sk-literal-secret", Map.of());
        assertTrue(e.getMessage().contains("must be a config-provider reference"), e.getMessage());
        assertFalse(e.getMessage().contains("sk-literal-secret"), e.getMessage());
    }

    @Test
    void takesTheApiKeyFromAReferenceBeforeTheFileAndTheVariable(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("api-key"), "sk-from-secret-mount\n");
        Map<String, String> settings = minimal();
        settings.put("realtime.url", "wss://api.example.com/v1/realtime");
        settings.put("realtime.api-key", "${dir:" + dir + ":api-key}");
        PipelineConfig config = ConfigLoader.fromMap(settings, Map.of("OPENAI_API_KEY", "sk-from-env"));
        ApiKey key = ApiKey.resolve(config.realtime().apiKey(), config.realtime().apiKeyFile(),
                config.realtime().apiKeyEnv(), Map.of("OPENAI_API_KEY", "sk-from-env")).orElseThrow();
        assertEquals("sk-from-secret-mount", key.reveal());
        assertEquals("reference ${dir:" + dir + ":api-key}", key.source());
    }

    @Test
    void refusesAnApiKeyOverUnencryptedWebSocketToAnotherMachine() {
        ConfigException e = refused("realtime.url", "ws://realtime.internal:8765/v1/realtime",
                Map.of("OPENAI_API_KEY", "sk-x"));
        assertTrue(e.getMessage().contains("unencrypted to another machine: use wss://"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RealtimeEndpoint(Dialect.OPENAI_GA,
                URI.create("ws://realtime.internal/v1/realtime"), Optional.of(ApiKey.of("sk-x", "test"))));
    }

    @Test
    void allowsUnencryptedWebSocketToLoopbackOrWithoutAKey() {
        for (String url : new String[]{"ws://127.0.0.1:8765/v1/realtime", "ws://localhost/v1/realtime",
                "ws://[::1]:8765/v1/realtime"}) {
            Map<String, String> settings = minimal();
            settings.put("realtime.url", url);
            ConfigLoader.fromMap(settings, Map.of("OPENAI_API_KEY", "sk-x"));
        }
        Map<String, String> noKey = minimal();
        noKey.put("realtime.url", "ws://realtime.internal:8765/v1/realtime");
        ConfigLoader.fromMap(noKey, Map.of()); // OPENAI_API_KEY is not set: nothing to leak
    }

    @Test
    void sendsTheRegistryABearerTokenFromAReference(@TempDir Path dir) throws IOException {
        Path properties = Files.writeString(dir.resolve("registry.properties"), "token=tok-123\n");
        Map<String, String> settings = minimal();
        settings.put("schema.registry.bearer-token", "${file:" + properties + ":token}");
        SchemaRegistryClient client = PipelineTopics.registryClient(ConfigLoader.fromMap(settings, Map.of()), Map.of());
        assertEquals("Bearer tok-123", client.config().authorization().orElseThrow().authorizationHeader());
        assertFalse(client.toString().contains("tok-123"), client.toString());
    }

    @Test
    void refusesBearerAndBasicAuthTogether() {
        Map<String, String> settings = minimal();
        settings.put("schema.registry.bearer-token", "${env:TOKEN}");
        settings.put("schema.registry.basic-auth", "${env:USER_INFO}");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(settings,
                Map.of("TOKEN", "t", "USER_INFO", "u:p")));
        assertEquals("schema.registry.bearer-token", e.key());
    }

    @Test
    void refusesATruststoreThatIsNotThere(@TempDir Path dir) {
        ConfigException e = refused("realtime.truststore.location", dir.resolve("absent.p12").toString(), Map.of());
        assertTrue(e.getMessage().contains("is not a readable file"), e.getMessage());
    }
}
