package dev.streamscribe.cli;

import dev.streamscribe.registry.AvroTrust;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code streamscribe} command: {@code demo} runs the whole job on one machine; {@code ingest}, {@code run},
 * {@code status}, {@code export}, {@code replay} and {@code reset} operate a pipeline on a real cluster;
 * {@code check-config}, {@code describe} and {@code serve-realtime} help set it up and test it.
 */
@Command(name = "streamscribe",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT, // --help and --version on every subcommand
        versionProvider = StreamscribeCli.Version.class,
        description = "Runs batch and offline audio through realtime speech WebSocket APIs (OpenAI Realtime GA"
                + " and beta, Inworld, or streamscribe's own local server) as a Kafka Streams pipeline, writing"
                + " per-turn transcripts, responses and one result per session to Kafka topics as Avro records.",
        subcommands = {DemoCommand.class, IngestCommand.class, RunCommand.class, StatusCommand.class,
                ExportCommand.class, ReplayCommand.class, ResetCommand.class, CheckConfigCommand.class,
                DescribeCommand.class, ServeRealtimeCommand.class, ServeKafkaCommand.class, BenchCommand.class,
                ResumeProviderCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  streamscribe demo                                   # the whole job offline, on the bundled samples",
                "  streamscribe ingest recordings/ && streamscribe run --exit-when-drained",
                "  streamscribe export --out transcripts/ --format txt,srt",
                "  streamscribe check-config --config topologies/transcribe.properties",
                "  streamscribe serve-realtime --port 8765",
                "  streamscribe help check-config"})
public final class StreamscribeCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        AvroTrust.install();
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by main and tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new StreamscribeCli())
                .setExecutionExceptionHandler(new ErrorHandler());
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = StreamscribeCli.class.getPackage().getImplementationVersion();
            return new String[]{"streamscribe " + (version == null ? "(development build)" : version)
                    + " on Java " + Runtime.version()};
        }
    }
}
