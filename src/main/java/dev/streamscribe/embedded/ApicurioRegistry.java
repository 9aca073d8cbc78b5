package dev.streamscribe.embedded;

import dev.streamscribe.registry.CompatibilityLevel;
import dev.streamscribe.registry.RegistryClientConfig;
import dev.streamscribe.registry.SchemaRegistryClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Apicurio Registry 3.3.3, a real Confluent-API schema registry, run as a child process on 127.0.0.1 (in-memory
 * storage unless {@link Options#environment()} says otherwise; https with {@link Options#withTls}): for {@code demo}
 * and the tests. It is unpacked from Maven Central ({@code io.apicurio:apicurio-registry-app:3.3.3:tar.gz:all}) into
 * {@code target/apicurio} just before the integration tests, or by {@code bin/streamscribe demo}. It starts with the
 * global compatibility rule BACKWARD (Apicurio's default is none). The process is stopped on {@link #close()} and
 * by a shutdown hook, so it never outlives the JVM that started it.
 *
 * <p>Threading: start and close from one thread; {@link #shared()} is synchronized.
 */
public final class ApicurioRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApicurioRegistry.class);
    public static final String HOME_PROPERTY = "streamscribe.apicurio.home";
    public static final String HOME_ENV = "STREAMSCRIBE_APICURIO_HOME";
    private static final String CCOMPAT_PATH = "/apis/ccompat/v7";
    private static ApicurioRegistry shared;

    private final Process process;
    private final int httpPort;
    private final boolean https;
    private final Path logFile;
    private final Thread shutdownHook;

    private ApicurioRegistry(Process process, int httpPort, boolean https, Path logFile) {
        this.process = process;
        this.httpPort = httpPort;
        this.https = https;
        this.logFile = logFile;
        this.shutdownHook = new Thread(this::stopProcess, "apicurio-registry-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * @param home           the unpacked distribution (holds quarkus-run.jar)
     * @param httpPort       API port on 127.0.0.1, 0 = any free port
     * @param managementPort health port on 127.0.0.1, 0 = any free port
     * @param startTimeout   how long to wait for readiness
     * @param logFile        where the registry's own output goes
     * @param environment    extra environment of the registry process (Quarkus and Apicurio settings, e.g. storage)
     * @param tlsKeyStore    serve the API over https only, with this PKCS12 key store (its password in environment)
     */
    public record Options(Path home, int httpPort, int managementPort, Duration startTimeout, Path logFile,
                          Map<String, String> environment, Optional<Path> tlsKeyStore) {
        public Options {
            environment = Map.copyOf(environment);
        }

        public static Options defaults() {
            Path home = locateHome(System.getenv());
            return new Options(home, 0, 0, Duration.ofSeconds(90), home.resolveSibling("apicurio-registry.log"),
                    Map.of(), Optional.empty());
        }

        public Options withHttpPort(int value) {
            return new Options(home, value, managementPort, startTimeout, logFile, environment, tlsKeyStore);
        }

        public Options withLogFile(Path value) {
            return new Options(home, httpPort, managementPort, startTimeout, value, environment, tlsKeyStore);
        }

        public Options withEnvironment(Map<String, String> value) {
            return new Options(home, httpPort, managementPort, startTimeout, logFile, value, tlsKeyStore);
        }

        /** https only on the API port, with {@code keyStore} (PKCS12) whose password is {@code password}. */
        public Options withTls(Path keyStore, String password) {
            Map<String, String> env = new java.util.HashMap<>(environment);
            // the password reaches the child through its environment, never its command line
            env.put("QUARKUS_HTTP_SSL_CERTIFICATE_KEY_STORE_FILE", keyStore.toAbsolutePath().toString());
            env.put("QUARKUS_HTTP_SSL_CERTIFICATE_KEY_STORE_PASSWORD", password);
            env.put("QUARKUS_HTTP_INSECURE_REQUESTS", "disabled");
            return new Options(home, httpPort, managementPort, startTimeout, logFile, env, Optional.of(keyStore));
        }
    }

    /** One registry for the whole JVM (the test suite, or demo), started on first use. */
    public static synchronized ApicurioRegistry shared() {
        if (shared == null || !shared.process.isAlive()) {
            shared = start(Options.defaults());
        }
        return shared;
    }

    /**
     * Where the distribution is: system property {@value #HOME_PROPERTY}, environment {@value #HOME_ENV}, else
     * {@code target/apicurio} beside the running jar or under the working directory.
     */
    public static Path locateHome(Map<String, String> env) {
        List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(System.getProperty(HOME_PROPERTY)).map(Path::of).ifPresent(candidates::add);
        Optional.ofNullable(env.get(HOME_ENV)).map(Path::of).ifPresent(candidates::add);
        jarDirectory().ifPresent(dir -> candidates.add(dir.resolve("apicurio")));
        candidates.add(Path.of("target", "apicurio"));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate.resolve("quarkus-run.jar"))) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IllegalStateException("Apicurio Registry is not unpacked: looked for quarkus-run.jar in " + candidates
                + ". Run './mvnw dependency:unpack@unpack-apicurio' (it unpacks io.apicurio:apicurio-registry-app:3.3.3 into"
                + " target/apicurio; bin/streamscribe demo does so by itself) or set "
                + HOME_ENV + " to an unpacked distribution.");
    }

    private static Optional<Path> jarDirectory() {
        try {
            Path location = Path.of(ApicurioRegistry.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Optional.ofNullable(location.getParent());
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public static ApicurioRegistry start(Options options) {
        Path runner = options.home().resolve("quarkus-run.jar");
        if (!Files.isRegularFile(runner)) {
            throw new IllegalStateException("no quarkus-run.jar in " + options.home() + ": not an Apicurio distribution");
        }
        int httpPort = PortAllocator.resolve(options.httpPort(), "schema registry HTTP");
        int managementPort = PortAllocator.resolve(options.managementPort(), "schema registry management");
        boolean https = options.tlsKeyStore().isPresent();
        Path java = JavaRuntimes.find(21, System.getenv());
        List<String> command = new ArrayList<>(List.of(java.toString(),
                "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                // with TLS the API port is the https one; the plain port is bound elsewhere and refuses requests
                "-Dquarkus.http.port=" + (https ? PortAllocator.freePort() : httpPort),
                "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.log.console.json=false",
                "-Dquarkus.otel.enabled=false",
                "-Dapicurio.rules.global.compatibility=" + CompatibilityLevel.BACKWARD,
                "-jar", runner.toString()));
        if (https) {
            command.add(command.size() - 2, "-Dquarkus.http.ssl-port=" + httpPort);
        }
        long started = System.nanoTime();
        Process process;
        try {
            Files.createDirectories(options.logFile().toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(options.environment());
            process = builder
                    .directory(options.home().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(options.logFile().toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Apicurio Registry with " + java + ": " + e.getMessage(), e);
        }
        ApicurioRegistry registry = new ApicurioRegistry(process, httpPort, https, options.logFile());
        try {
            registry.awaitReady(managementPort, options.startTimeout());
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        log.info("Apicurio Registry ready at {} in {} ms (log: {})", registry.url(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), options.logFile());
        return registry;
    }

    private void awaitReady(int managementPort, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI health = URI.create("http://127.0.0.1:" + managementPort + "/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited with code " + process.exitValue()
                        + " before it was ready; last lines of " + logFile + ":\n" + tail(logFile, 15));
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2))
                        .GET().build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Apicurio Registry", e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Apicurio Registry", e);
            }
        }
        throw new IllegalStateException("Apicurio Registry not ready within " + timeout.toSeconds() + " s; last lines of "
                + logFile + ":\n" + tail(logFile, 15));
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read log: " + e.getMessage() + ")";
        }
    }

    /** The Confluent-compatible API root, e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7}. */
    public String url() {
        return (https ? "https" : "http") + "://127.0.0.1:" + httpPort + CCOMPAT_PATH;
    }

    public int httpPort() {
        return httpPort;
    }

    /** A fresh client for this registry (auto-register on). */
    public SchemaRegistryClient client() {
        return new SchemaRegistryClient(RegistryClientConfig.of(url()));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
