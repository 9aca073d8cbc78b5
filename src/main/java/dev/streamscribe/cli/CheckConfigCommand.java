package dev.streamscribe.cli;

import dev.streamscribe.config.ConfigReferences;
import dev.streamscribe.config.PipelineConfig;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import java.util.concurrent.Callable;

/** Validates a pipeline definition and prints what it resolves to. Reads nothing but the file and environment. */
@Command(name = "check-config",
        header = "Validate a pipeline definition without contacting anything.",
        description = "Validate a pipeline definition (properties file, then STREAMSCRIBE_* environment overrides,"
                + " then --set flags) and print the resolved topics, registry and provider settings, and the kafka.*"
                + " and streams.* settings as written (config-provider references such as ${env:NAME} are checked to"
                + " resolve but shown unresolved; literal passwords show as [hidden]). Contacts nothing and changes"
                + " nothing.",
        footer = {"", "Example:", "  streamscribe check-config --config topologies/transcribe.properties"})
final class CheckConfigCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    PipelineOptions pipeline;

    @Override
    public Integer call() {
        PipelineConfig resolved = pipeline.load();
        var out = spec.commandLine().getOut();
        out.println("configuration " + pipeline.config + " is valid");
        out.println("  application.id      " + resolved.applicationId());
        out.println("  bootstrap.servers   " + resolved.kafka().bootstrapServers());
        out.println("  topics              " + resolved.topics());
        out.println("  schema registry     " + resolved.registry().url()
                + (resolved.registry().autoRegister() ? " (auto-register)" : " (pre-registered schemas only)"));
        out.println("  realtime            " + resolved.realtime().dialect().id() + " at " + resolved.realtime().url()
                + ", up to " + resolved.realtime().maxConcurrentSessions() + " sessions in flight");
        out.println("  api key from        " + resolved.realtime().apiKey().map(r -> "reference " + r)
                .or(() -> resolved.realtime().apiKeyFile().map(p -> "file " + p))
                .or(() -> resolved.realtime().apiKeyEnv().map(e -> "environment variable " + e)).orElse("nowhere (no key)"));
        resolved.realtime().trustStore().ifPresent(t -> out.println("  realtime trust      " + t.type() + " " + t.location()));
        resolved.registry().bearerToken().ifPresent(r -> out.println("  registry auth       bearer token from " + r));
        resolved.registry().basicAuth().map(r -> "basic auth from " + r)
                .or(() -> resolved.registry().basicAuthEnv().map(e -> "basic auth from environment variable " + e))
                .ifPresent(auth -> out.println("  registry auth       " + auth));
        resolved.registry().trustStore().ifPresent(t -> out.println("  registry trust      " + t.type() + " " + t.location()));
        printAsWritten(out, "kafka.", resolved.kafka().clientOverrides());
        printAsWritten(out, "streams.", resolved.streams().overrides());
        return 0;
    }

    /**
     * Passthrough settings as written: a reference shows as the reference; a literal value of a key Kafka types as
     * a password (sasl.jaas.config, ssl.*.password) as [hidden].
     */
    private static void printAsWritten(PrintWriter out, String prefix, Map<String, String> settings) {
        new TreeMap<>(settings).forEach((key, value) -> out.println("  " + prefix + key + " = "
                + (ConfigReferences.hasReference(value) || !isPassword(key) ? value : "[hidden]")));
    }

    private static boolean isPassword(String key) {
        for (ConfigDef def : List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef(),
                StreamsConfig.configDef())) {
            ConfigDef.ConfigKey declared = def.configKeys().get(key);
            if (declared != null && declared.type == ConfigDef.Type.PASSWORD) {
                return true;
            }
        }
        return key.contains("password") || key.contains("secret") || key.contains("jaas");
    }
}
