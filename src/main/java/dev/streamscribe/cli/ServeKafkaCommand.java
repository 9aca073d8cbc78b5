package dev.streamscribe.cli;

import dev.streamscribe.embedded.EmbeddedKafkaBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** A single-node KRaft broker for development and benchmarks. */
@Command(name = "serve-kafka",
        header = "Run a single-node Kafka broker (KRaft) for development and the bench.",
        description = {"Run a single-node Kafka broker (KRaft, Apache Kafka's own server, in this JVM) on 127.0.0.1 "
                + "until Ctrl-C or SIGTERM: for development and 'bench', not for production (one node, replication "
                + "factor 1). Its data stays in --data-dir and is reused, with its cluster id, on the next start; "
                + "delete the folder to start empty."},
        footer = {"", "Example:", "  streamscribe serve-kafka --port 9092 --data-dir .streamscribe/kafka"})
final class ServeKafkaCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", defaultValue = "9092", description = "Listener port (0 = any free port; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", defaultValue = ".streamscribe/kafka",
            description = "Where the broker keeps its log (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--ready-file", paramLabel = "FILE",
            description = "Once the broker is up, write its bootstrap.servers there (a properties file), for scripts.")
    Path readyFile;

    @Override
    public Integer call() throws InterruptedException {
        ShutdownLatch shutdown = new ShutdownLatch(60);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.at(dataDir).withPort(port))) {
            spec.commandLine().getOut().println("Kafka broker listening on " + broker.bootstrapServers()
                    + " (cluster " + broker.clusterId() + ", data in " + broker.dataDir() + ")");
            spec.commandLine().getOut().flush();
            if (readyFile != null) {
                ReadyFile.write(readyFile, Map.of("bootstrap.servers", broker.bootstrapServers()));
            }
            shutdown.awaitStop();
        } catch (RuntimeException e) {
            shutdown.closed(1);
            throw e;
        }
        shutdown.closed(0);
        return 0;
    }
}
