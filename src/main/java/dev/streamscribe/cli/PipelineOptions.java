package dev.streamscribe.cli;

import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** {@code --config} and {@code --set}: which pipeline a command talks to. Environment overrides apply on top. */
final class PipelineOptions {
    @Option(names = "--config", defaultValue = "topologies/transcribe.properties",
            description = "Pipeline definition (default: ${DEFAULT-VALUE}). Every key can be overridden by an "
                    + "environment variable STREAMSCRIBE_<KEY>, e.g. STREAMSCRIBE_BOOTSTRAP_SERVERS.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one key of the definition, e.g. --set bootstrap.servers=broker:9092 (repeatable).")
    Map<String, String> overrides = Map.of();

    /** The definition with environment and flag overrides applied, validated. */
    PipelineConfig load() {
        return load(Map.of());
    }

    /** As {@link #load()}, with {@code more} overrides from the command's own flags (they win over --set). */
    PipelineConfig load(Map<String, String> more) {
        Map<String, String> all = new HashMap<>(overrides);
        all.putAll(more);
        PipelineConfig loaded = ConfigLoader.load(config, System.getenv(), all);
        loaded.logFormat().apply();
        return loaded;
    }
}
