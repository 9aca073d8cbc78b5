package dev.streamscribe.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool$;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The real Kafka broker, KRaft combined mode (broker + controller, one node), running in this JVM: formats its
 * storage on first start, keeps the cluster id in the data directory across restarts, and waits until clients can
 * use it. Single-node settings make exactly-once work: replication factor 1 and min ISR 1 for the offsets and
 * transaction logs (4.3.1's default min ISR of 2 makes every transaction fail on one broker).
 *
 * <p>Threading: start and close from one thread; the broker runs its own threads.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final String clusterId;
    private final Path dataDir;
    private boolean closed;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers, String clusterId, Path dataDir) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.clusterId = clusterId;
        this.dataDir = dataDir;
    }

    /**
     * Options: data directory (kept across restarts), listener port (0 = any free), extra broker properties, and
     * listeners beside PLAINTEXT (e.g. a SASL_SSL one for security tests; their settings go in brokerOverrides
     * under {@code listener.name.<name>.}).
     */
    public record Options(Path dataDir, int port, Map<String, String> brokerOverrides, Duration readyTimeout,
                          List<Listener> extraListeners) {
        public Options {
            brokerOverrides = Map.copyOf(brokerOverrides);
            extraListeners = List.copyOf(extraListeners);
        }

        public static Options at(Path dataDir) {
            return new Options(dataDir, 0, Map.of(), Duration.ofSeconds(60), List.of());
        }

        public Options withPort(int value) {
            return new Options(dataDir, value, brokerOverrides, readyTimeout, extraListeners);
        }

        public Options withOverrides(Map<String, String> value) {
            return new Options(dataDir, port, value, readyTimeout, extraListeners);
        }

        public Options withListener(Listener value) {
            List<Listener> listeners = new java.util.ArrayList<>(extraListeners);
            listeners.add(value);
            return new Options(dataDir, port, brokerOverrides, readyTimeout, listeners);
        }
    }

    /** A listener on 127.0.0.1: its name (e.g. SASL_SSL), security protocol and port (a fixed one: clients need it). */
    public record Listener(String name, String securityProtocol, int port) {
    }

    public static EmbeddedKafkaBroker start(Options options) {
        int port = PortAllocator.resolve(options.port(), "Kafka broker listener");
        int controllerPort = PortAllocator.freePort();
        Path dataDir = options.dataDir().toAbsolutePath();
        Path logDir = dataDir.resolve("kraft-logs");
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create Kafka data directory " + logDir + ": " + e.getMessage(), e);
        }
        Properties props = brokerProperties(logDir, port, controllerPort);
        for (Listener listener : options.extraListeners()) {
            String address = listener.name() + "://127.0.0.1:" + listener.port();
            props.setProperty("listeners", props.getProperty("listeners") + "," + address);
            props.setProperty("advertised.listeners", props.getProperty("advertised.listeners") + "," + address);
            props.setProperty("listener.security.protocol.map", props.getProperty("listener.security.protocol.map")
                    + "," + listener.name() + ":" + listener.securityProtocol());
        }
        options.brokerOverrides().forEach(props::setProperty);
        String clusterId = formatIfNeeded(dataDir, logDir, props);

        long started = System.nanoTime();
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        String bootstrap = "127.0.0.1:" + port;
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, bootstrap, clusterId, dataDir);
        try {
            broker.awaitReady(options.readyTimeout());
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        log.info("Embedded Kafka broker ready at {} (cluster {}, data {}) in {} ms", bootstrap, clusterId, dataDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return broker;
    }

    static Properties brokerProperties(Path logDir, int port, int controllerPort) {
        Properties props = new Properties();
        props.setProperty("process.roles", "broker,controller");
        props.setProperty("node.id", "1");
        props.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.setProperty("controller.listener.names", "CONTROLLER");
        props.setProperty("inter.broker.listener.name", "PLAINTEXT");
        props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.setProperty("log.dirs", logDir.toString());
        props.setProperty("offsets.topic.replication.factor", "1");
        props.setProperty("offsets.topic.num.partitions", "5");
        props.setProperty("transaction.state.log.replication.factor", "1");
        props.setProperty("transaction.state.log.min.isr", "1");
        props.setProperty("transaction.state.log.num.partitions", "5");
        props.setProperty("share.coordinator.state.topic.replication.factor", "1");
        props.setProperty("share.coordinator.state.topic.min.isr", "1");
        props.setProperty("group.initial.rebalance.delay.ms", "0");
        props.setProperty("auto.create.topics.enable", "false");
        props.setProperty("num.partitions", "1");
        // Audio chunks are up to 256 KiB of audio plus framing; leave headroom over the 1 MiB default.
        props.setProperty("message.max.bytes", String.valueOf(8 * 1024 * 1024));
        return props;
    }

    private static String formatIfNeeded(Path dataDir, Path logDir, Properties props) {
        Path meta = logDir.resolve("meta.properties");
        if (Files.exists(meta)) {
            Properties existing = new Properties();
            try (Reader reader = Files.newBufferedReader(meta)) {
                existing.load(reader);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + meta + ": " + e.getMessage(), e);
            }
            String id = existing.getProperty("cluster.id");
            if (id == null || id.isBlank()) {
                throw new IllegalStateException(meta + " has no cluster.id: delete " + dataDir + " to start afresh");
            }
            return id;
        }
        String clusterId = Uuid.randomUuid().toString();
        Path config = dataDir.resolve("server.properties");
        try (Writer writer = Files.newBufferedWriter(config)) {
            props.store(writer, "embedded KRaft broker written by streamscribe");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + config + ": " + e.getMessage(), e);
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int rc;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            rc = StorageTool$.MODULE$.execute(new String[]{"format", "-t", clusterId, "-c", config.toString()}, print);
        } catch (Exception e) {
            throw new IllegalStateException("formatting Kafka storage in " + logDir + " failed: " + e.getMessage(), e);
        }
        if (rc != 0) {
            throw new IllegalStateException("formatting Kafka storage in " + logDir + " failed (exit " + rc + "): "
                    + output.toString(StandardCharsets.UTF_8).trim());
        }
        return clusterId;
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties adminProps = new Properties();
        adminProps.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        adminProps.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        adminProps.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(adminProps)) {
            RuntimeException last = null;
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    last = new IllegalStateException(e.getMessage(), e);
                }
                sleep(100);
            }
            throw new IllegalStateException("embedded Kafka broker at " + bootstrapServers + " not ready within "
                    + timeout.toSeconds() + " s" + (last == null ? "" : ": " + last.getMessage()), last);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
        log.info("Embedded Kafka broker at {} stopped", bootstrapServers);
    }
}
