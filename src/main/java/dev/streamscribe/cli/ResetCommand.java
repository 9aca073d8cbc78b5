package dev.streamscribe.cli;

import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.topology.PipelineTopics;
import org.apache.kafka.common.config.provider.DirectoryConfigProvider;
import org.apache.kafka.common.config.provider.EnvVarConfigProvider;
import org.apache.kafka.common.config.provider.FileConfigProvider;
import org.apache.kafka.tools.StreamsResetter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** Resets the Kafka Streams application so it reprocesses its input from the beginning. */
@Command(name = "reset",
        header = "Reset the Streams application (StreamsResetter + local state) to reprocess the input.",
        description = {"Reset the pipeline's Kafka Streams application so that its next start reprocesses the input "
                + "topics from the beginning: Kafka's own StreamsResetter moves the application's committed offsets on "
                + "the configs and audio topics back to the start and deletes its internal topics (the session-state "
                + "and chunk-index changelogs); this command then deletes the local state folder "
                + "(state.dir/application.id).",
                "Stop every instance first (the resetter refuses while the group has active members; --force removes "
                        + "members left behind by a killed instance). What it costs: the next start reads every "
                        + "retained input record again. Finished runs are not sent to the provider again (the pipeline "
                        + "reads session-results back and skips them); sessions that had not finished start over. "
                        + "Output topics are kept. To run finished sessions again use 'replay'. There is no undo, so "
                        + "look first with --dry-run."},
        footer = {"", "Examples:",
                "  streamscribe reset --dry-run",
                "  streamscribe reset",
                "  streamscribe reset --force --config prod.properties"})
final class ResetCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    PipelineOptions pipeline;

    @Option(names = "--dry-run", description = "Show what would be reset and deleted; change nothing.")
    boolean dryRun;

    @Option(names = "--force", description = "Remove members still registered in the group (e.g. a killed static member).")
    boolean force;

    @Override
    public Integer call() throws IOException {
        PipelineConfig config = pipeline.load();
        PrintWriter out = spec.commandLine().getOut();
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-server", config.kafka().bootstrapServers(),
                "--application-id", config.applicationId(),
                "--input-topics", config.topics().sessionConfigs() + "," + config.topics().audioChunks(),
                "--to-earliest"));
        if (dryRun) {
            args.add("--dry-run");
        }
        if (force) {
            args.add("--force");
        }
        Properties clientConfig = new Properties();
        PipelineTopics.kafkaOverrides(config).forEach(clientConfig::put);
        out.println((dryRun ? "dry run: " : "") + "resetting application " + config.applicationId() + " at "
                + config.kafka().bootstrapServers() + " with Kafka's StreamsResetter");
        out.flush();
        Optional<Path> adminConfig = adminConfigFile(config);
        adminConfig.ifPresent(file -> args.addAll(List.of("--config-file", file.toString())));
        int code;
        try {
            code = new StreamsResetter().execute(args.toArray(String[]::new), clientConfig);
        } finally {
            if (adminConfig.isPresent()) {
                Files.deleteIfExists(adminConfig.get());
            }
        }
        if (code != 0) {
            spec.commandLine().getErr().println("streamscribe: the StreamsResetter failed (exit " + code + "); see its "
                    + "message above. Local state was left in place.");
            return 1;
        }
        Path local = config.streams().stateDir().resolve(config.applicationId());
        if (Files.exists(local)) {
            out.println((dryRun ? "would delete " : "deleting ") + "local state " + local.toAbsolutePath());
            if (!dryRun) {
                try (Stream<Path> walk = Files.walk(local)) {
                    for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            }
        } else {
            out.println("no local state at " + local.toAbsolutePath());
        }
        out.println(dryRun ? "dry run: nothing changed" : "reset done: the next 'streamscribe run' reprocesses the input");
        out.flush();
        return 0;
    }

    /**
     * The resetter builds its Admin client from --config-file only (the properties given to execute() reach its
     * consumers alone), so the kafka.* settings go into a file readable by this user only, as written: references
     * stay references and the Admin client resolves them itself with the same three config providers.
     */
    private static Optional<Path> adminConfigFile(PipelineConfig config) throws IOException {
        if (config.kafka().clientOverrides().isEmpty()) {
            return Optional.empty();
        }
        Properties admin = new Properties();
        admin.putAll(config.kafka().clientOverrides());
        admin.put("config.providers", "env,file,dir");
        admin.put("config.providers.env.class", EnvVarConfigProvider.class.getName());
        admin.put("config.providers.file.class", FileConfigProvider.class.getName());
        admin.put("config.providers.dir.class", DirectoryConfigProvider.class.getName());
        Path file = Files.createTempFile("streamscribe-reset-", ".properties",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (var writer = Files.newBufferedWriter(file)) {
            admin.store(writer, "streamscribe reset: the Admin client's kafka.* settings, deleted after the reset");
        }
        return Optional.of(file);
    }
}
