package dev.streamscribe.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.streamscribe.config.ConfigKeys;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import kafka.server.KafkaConfig;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * There is no Docker engine here to run {@code docker compose}, so the compose file is checked as data: its
 * services and ports, and the app's STREAMSCRIBE_* settings against the typed configuration.
 */
class ComposeFileTest {
    private static final Path ROOT = Path.of(System.getProperty("streamscribe.project.dir", "."));
    private final JsonNode compose = read(ROOT.resolve("docker/compose.yaml"));

    private static JsonNode read(Path file) {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new AssertionError("docker/compose.yaml is not valid YAML: " + e.getMessage(), e);
        }
    }

    @Test
    void shouldDefineKafkaARegistryAndTheApp() {
        Set<String> services = fieldNames(compose.path("services"));
        assertEquals(Set.of("kafka", "schema-registry", "streamscribe"), services);
        assertEquals(List.of("127.0.0.1:9092:9092"), texts(compose.path("services").path("kafka").path("ports")));
        assertEquals(List.of("127.0.0.1:8081:8080"), texts(compose.path("services").path("schema-registry").path("ports")));
        assertEquals(List.of("127.0.0.1:9464:9464"), texts(compose.path("services").path("streamscribe").path("ports")),
                "the operations port is published for Prometheus");
    }

    @Test
    void publishesNothingBeyondThisHostBecauseNothingHereAuthenticates() {
        compose.path("services").fields().forEachRemaining(service -> service.getValue().path("ports").forEach(port ->
                assertTrue(port.asText().startsWith("127.0.0.1:"), service.getKey() + " publishes " + port.asText())));
    }

    @Test
    void restartsEveryServiceAndStartsEachOnlyOnceWhatItNeedsIsHealthy() {
        JsonNode services = compose.path("services");
        services.fields().forEachRemaining(service -> {
            assertEquals("unless-stopped", service.getValue().path("restart").asText(), service.getKey());
            service.getValue().path("depends_on").fields().forEachRemaining(dependency -> {
                assertEquals("service_healthy", dependency.getValue().path("condition").asText(),
                        service.getKey() + " -> " + dependency.getKey());
                boolean checked = services.path(dependency.getKey()).has("healthcheck")
                        || dependency.getKey().equals("streamscribe"); // its HEALTHCHECK is in the Dockerfile
                assertTrue(checked, dependency.getKey() + " has a healthcheck to wait for");
            });
        });
        assertEquals(Set.of("kafka", "schema-registry"), fieldNames(services.path("streamscribe").path("depends_on")));
        assertEquals(Set.of("kafka"), fieldNames(services.path("schema-registry").path("depends_on")));
    }

    @Test
    void keepsKafkasDataInItsVolumeUnderAValidClusterId() {
        JsonNode kafka = compose.path("services").path("kafka");
        String logDirs = kafka.path("environment").path("KAFKA_LOG_DIRS").asText();
        assertEquals(List.of("kafka-data:" + logDirs), texts(kafka.path("volumes")), "the log directory is the volume");
        assertTrue(compose.path("volumes").has("kafka-data"));
        Uuid.fromString(kafka.path("environment").path("CLUSTER_ID").asText()); // throws unless Kafka's format
    }

    @Test
    void kafkasSettingsAreAValidBrokerConfiguration() {
        // the apache/kafka image turns KAFKA_FOO_BAR into foo.bar in server.properties
        Properties broker = new Properties();
        compose.path("services").path("kafka").path("environment").fields().forEachRemaining(e -> {
            if (e.getKey().startsWith("KAFKA_")) {
                broker.put(e.getKey().substring(6).toLowerCase(Locale.ROOT).replace('_', '.'), e.getValue().asText());
            }
        });
        KafkaConfig config = KafkaConfig.fromProps(broker);
        assertEquals("INTERNAL", config.interBrokerListenerName().value());
        assertEquals(List.of(broker.getProperty("log.dirs")), config.logDirs());
        assertEquals(1, config.getInt("transaction.state.log.min.isr"));
    }

    @Test
    void keepsTheRegistrysSchemasInKafkaSoTheirIdsSurviveARestart() {
        JsonNode env = compose.path("services").path("schema-registry").path("environment");
        assertEquals("kafkasql", env.path("APICURIO_STORAGE_KIND").asText());
        assertEquals(streamscribeEnv().get("STREAMSCRIBE_BOOTSTRAP_SERVERS"),
                env.path("APICURIO_KAFKASQL_BOOTSTRAP_SERVERS").asText(), "the same Kafka, on its internal listener");
    }

    @Test
    void mountsTheAppsVolumeWhereTheImageKeepsItsState() throws IOException {
        String stateDir = Files.readAllLines(ROOT.resolve("docker/Dockerfile")).stream()
                .filter(line -> line.startsWith("ENV STREAMSCRIBE_STATE_DIR=")).findFirst().orElseThrow()
                .substring("ENV STREAMSCRIBE_STATE_DIR=".length());
        assertEquals(List.of("streamscribe-state:" + stateDir),
                texts(compose.path("services").path("streamscribe").path("volumes")));
    }

    @Test
    void shouldConfigureKafkaForExactlyOnceOnOneBroker() {
        JsonNode env = compose.path("services").path("kafka").path("environment");
        assertEquals("1", env.path("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR").asText());
        assertEquals("1", env.path("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR").asText());
        assertEquals("1", env.path("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR").asText());
    }

    @Test
    void shouldOnlyUseConfigurationKeysTheAppKnows() {
        Set<String> known = ConfigLoader.KEYS.stream().map(ConfigKeys.Key::envName).collect(Collectors.toSet());
        Set<String> used = streamscribeEnv().keySet().stream().filter(k -> k.startsWith("STREAMSCRIBE_"))
                .collect(Collectors.toSet());
        assertTrue(!used.isEmpty(), "the app service sets no STREAMSCRIBE_* keys");
        Set<String> unknown = used.stream().filter(k -> !known.contains(k)).collect(Collectors.toSet());
        assertTrue(unknown.isEmpty(), "compose sets keys the app does not know: " + unknown);
    }

    @Test
    void shouldPointTheAppAtTheComposeServicesWithAValidConfiguration() throws IOException {
        Properties defaults = new Properties();
        try (var reader = Files.newBufferedReader(ROOT.resolve("topologies/transcribe.properties"))) {
            defaults.load(reader);
        }
        Map<String, String> settings = new HashMap<>();
        defaults.stringPropertyNames().forEach(k -> settings.put(k, defaults.getProperty(k)));
        PipelineConfig config = ConfigLoader.fromMap(settings, streamscribeEnv());
        assertEquals("kafka:19092", config.kafka().bootstrapServers());
        assertTrue(config.kafka().bootstrapServers().startsWith("kafka:"));
        assertEquals("schema-registry", config.registry().url().getHost());
        assertTrue(config.realtime().apiKeyEnv().isPresent());
        assertTrue(streamscribeEnv().containsKey(config.realtime().apiKeyEnv().get()),
                "the API key variable is passed through from the user's shell");
    }

    private Map<String, String> streamscribeEnv() {
        Map<String, String> env = new HashMap<>();
        JsonNode node = compose.path("services").path("streamscribe").path("environment");
        node.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asText()));
        return values;
    }
}
