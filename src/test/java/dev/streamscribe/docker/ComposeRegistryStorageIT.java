package dev.streamscribe.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.streamscribe.embedded.ApicurioRegistry;
import dev.streamscribe.registry.SchemaRegistryClient;
import dev.streamscribe.testing.SharedInfrastructure;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The compose file's registry keeps its schemas in Kafka: the same Apicurio release, started with the compose
 * service's own environment (storage settings read from docker/compose.yaml, only the bootstrap address pointed at
 * the test broker), keeps a registered schema's id across a restart. That id is in every record the app wrote, so
 * losing it (the in-memory default) would make every record unreadable.
 */
class ComposeRegistryStorageIT {
    private static final Path ROOT = Path.of(System.getProperty("streamscribe.project.dir", "."));

    @Test
    void theComposeRegistryKeepsSchemaIdsAcrossARestart(@TempDir Path dir) throws Exception {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker/compose.yaml").toFile());
        Map<String, String> environment = new HashMap<>();
        compose.path("services").path("schema-registry").path("environment").fields()
                .forEachRemaining(e -> environment.put(e.getKey(), e.getValue().asText()));
        environment.remove("QUARKUS_HTTP_HOST"); // the test binds 127.0.0.1
        environment.put("APICURIO_KAFKASQL_BOOTSTRAP_SERVERS", SharedInfrastructure.kafka().bootstrapServers());
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        environment.put("APICURIO_KAFKASQL_TOPIC", "kafkasql-journal-" + suffix);
        environment.put("APICURIO_KAFKASQL_SNAPSHOTS_TOPIC", "kafkasql-snapshots-" + suffix);
        ApicurioRegistry.Options options = ApicurioRegistry.Options.defaults().withEnvironment(environment);

        Schema schema = SchemaBuilder.record("Kept").namespace("dev.streamscribe.test").fields()
                .requiredString("text").endRecord();
        int registered;
        try (ApicurioRegistry first = ApicurioRegistry.start(options.withLogFile(dir.resolve("first.log")))) {
            SchemaRegistryClient client = first.client();
            client.register("kept-value", SchemaBuilder.record("Other").fields().requiredInt("n").endRecord());
            registered = client.register("kept-value-2", schema);
        }
        try (ApicurioRegistry second = ApicurioRegistry.start(options.withLogFile(dir.resolve("second.log")))) {
            assertEquals(OptionalInt.of(registered), second.client().lookup("kept-value-2", schema),
                    "the id survives the restart");
        }
    }
}
