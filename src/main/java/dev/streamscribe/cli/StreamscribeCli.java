package dev.streamscribe.cli;

import dev.streamscribe.config.LogFormat;
import dev.streamscribe.registry.AvroTrust;
import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

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
        LogFormat.fromEnvironment(System.getenv()).ifPresent(LogFormat::apply);
        AvroTrust.install();
        System.exit(commandLine().execute(args));
    }

    /**
     * The configured command line, shared by main and tests. The commands that run a broker in-process
     * ({@link #DEVELOPMENT_COMMANDS}) are named, not linked: the production jar leaves them and the broker out, and
     * there each answers with where to find it instead of picocli's "unmatched argument".
     */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new StreamscribeCli());
        addDevelopmentCommand(commandLine, "demo");
        for (Object command : List.of(new IngestCommand(), new RunCommand(), new StatusCommand(), new ExportCommand(),
                new ReplayCommand(), new ResetCommand(), new LeaveGroupCommand(), new CheckConfigCommand(), new DescribeCommand(),
                new ServeRealtimeCommand())) {
            commandLine.addSubcommand(command);
        }
        addDevelopmentCommand(commandLine, "serve-kafka");
        addDevelopmentCommand(commandLine, "bench");
        commandLine.addSubcommand(new ResumeProviderCommand());
        commandLine.addSubcommand(new CommandLine.HelpCommand());
        return commandLine.setExecutionExceptionHandler(new ErrorHandler());
    }

    /** Command name to class, for the commands only the development jar (streamscribe-dev.jar) holds. */
    static final Map<String, String> DEVELOPMENT_COMMANDS = Map.of(
            "demo", "dev.streamscribe.cli.DemoCommand",
            "serve-kafka", "dev.streamscribe.cli.ServeKafkaCommand",
            "bench", "dev.streamscribe.cli.BenchCommand");

    private static void addDevelopmentCommand(CommandLine commandLine, String name) {
        Object command;
        try {
            var constructor = Class.forName(DEVELOPMENT_COMMANDS.get(name)).getDeclaredConstructor();
            constructor.setAccessible(true);
            command = constructor.newInstance();
        } catch (ClassNotFoundException absent) {
            command = CommandLine.Model.CommandSpec.wrapWithoutInspection((Callable<Integer>) () -> {
                throw new CommandLine.ParameterException(commandLine, "'" + name + "' runs a Kafka broker in-process"
                        + " and is only in the development jar, target/streamscribe-dev.jar (built beside this one by"
                        + " ./mvnw package; bin/streamscribe runs it for demo, serve-kafka and bench). This is the"
                        + " production jar.");
            }).name(name);
            ((CommandLine.Model.CommandSpec) command).usageMessage().hidden(true);
        } catch (ReflectiveOperationException broken) {
            throw new IllegalStateException("cannot create the " + name + " command", broken);
        }
        commandLine.addSubcommand(command);
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
