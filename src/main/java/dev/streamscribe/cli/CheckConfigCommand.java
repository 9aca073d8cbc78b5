package dev.streamscribe.cli;

import dev.streamscribe.config.PipelineConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.util.concurrent.Callable;

/** Validates a pipeline definition and prints what it resolves to. Reads nothing but the file and environment. */
@Command(name = "check-config",
        header = "Validate a pipeline definition without contacting anything.",
        description = "Validate a pipeline definition (properties file, then STREAMSCRIBE_* environment overrides,"
                + " then --set flags) and print the resolved topics, registry and provider settings."
                + " Contacts nothing and changes nothing.",
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
        out.println("  api key from        " + resolved.realtime().apiKeyFile().map(p -> "file " + p)
                .or(() -> resolved.realtime().apiKeyEnv().map(e -> "environment variable " + e)).orElse("nowhere (no key)"));
        return 0;
    }
}
