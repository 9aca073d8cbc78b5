package dev.streamscribe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamscribe.embedded.ApicurioRegistry;
import dev.streamscribe.embedded.EmbeddedKafkaBroker;
import dev.streamscribe.embedded.PortAllocator;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.realtime.server.TlsIdentity;
import dev.streamscribe.testing.Cli;
import dev.streamscribe.testing.TestCertificates;
import dev.streamscribe.testing.TestWavs;
import dev.streamscribe.testing.TestWavs.Tone;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every connection secured, end to end: a broker reached only over SASL_SSL (SCRAM-SHA-512, a certificate made for
 * this run), the registry over https, the realtime server over wss://, each verified against a truststore of its
 * own, and every secret (the SCRAM login, the truststore password, the API key) given as a Kafka config-provider
 * reference: ${dir:} for the mounted-Secret style files, ${file:} for a properties file, ${env:} in a child process.
 * ingest, run, status, export, replay and reset all work through them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecureConnectionsIT {
    private static final String USER = "streamscribe";
    private static final String SCRAM_PASSWORD = "scram-secret-0123";
    @TempDir
    static Path dir;
    private static TestCertificates certificates;
    private static EmbeddedKafkaBroker broker;
    private static ApicurioRegistry registry;
    private static LocalRealtimeServer realtime;
    private static Path secrets;
    private static Path clientProperties;
    private static int saslPort;
    private static Map<String, String> settings;

    @BeforeAll
    static void startSecuredStack() throws Exception {
        certificates = TestCertificates.create(Files.createDirectories(dir.resolve("certificates")));
        saslPort = PortAllocator.freePort();
        String keyStore = certificates.server().toString();
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.at(dir.resolve("kafka"))
                .withListener(new EmbeddedKafkaBroker.Listener("SASL_SSL", "SASL_SSL", saslPort))
                .withOverrides(Map.of(
                        "sasl.enabled.mechanisms", "SCRAM-SHA-512",
                        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                        "listener.name.sasl_ssl.ssl.keystore.location", keyStore,
                        "listener.name.sasl_ssl.ssl.keystore.type", "PKCS12",
                        "listener.name.sasl_ssl.ssl.keystore.password", certificates.password(),
                        "listener.name.sasl_ssl.ssl.key.password", certificates.password())));
        // the user is added through the Admin API on the broker's PLAINTEXT listener, which the app never uses
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), SCRAM_PASSWORD))).all()
                    .get(30, TimeUnit.SECONDS);
        }
        registry = ApicurioRegistry.start(ApicurioRegistry.Options.defaults().withLogFile(dir.resolve("apicurio.log"))
                .withTls(certificates.server(), certificates.password()));
        realtime = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine())
                .withTls(new TlsIdentity(certificates.server(), "PKCS12", certificates.password())));

        secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("sasl.jaas.config"), "org.apache.kafka.common.security.scram.ScramLoginModule"
                + " required username=\"" + USER + "\" password=\"" + SCRAM_PASSWORD + "\";\n");
        Files.writeString(secrets.resolve("api-key"), "sk-secure-connections-test\n");
        clientProperties = Files.writeString(dir.resolve("client.properties"),
                "truststore.password=" + certificates.password() + "\n");
        String trustStore = certificates.trustStore().toString();
        String password = "${file:" + clientProperties + ":truststore.password}";
        settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", "127.0.0.1:" + saslPort);
        settings.put("application.id", "secure-connections");
        settings.put("topic.prefix", "secure.");
        settings.put("topic.partitions", "2");
        settings.put("state.dir", dir.resolve("state").toString());
        settings.put("operations.port", "-1");
        settings.put("kafka.security.protocol", "SASL_SSL");
        settings.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
        settings.put("kafka.sasl.jaas.config", "${dir:" + secrets + ":sasl.jaas.config}");
        settings.put("kafka.ssl.truststore.location", trustStore);
        settings.put("kafka.ssl.truststore.type", "PKCS12");
        settings.put("kafka.ssl.truststore.password", password);
        settings.put("schema.registry.url", registry.url());
        settings.put("schema.registry.truststore.location", trustStore);
        settings.put("schema.registry.truststore.password", password);
        settings.put("realtime.url", realtime.url(Dialect.OPENAI_GA).toString());
        settings.put("realtime.api-key", "${dir:" + secrets + ":api-key}");
        settings.put("realtime.truststore.location", trustStore);
        settings.put("realtime.truststore.password", password);
    }

    @AfterAll
    static void stop() {
        if (realtime != null) {
            realtime.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static List<String> flags(Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.putAll(overrides);
        List<String> flags = new ArrayList<>(List.of("--config", "topologies/transcribe.properties"));
        all.forEach((key, value) -> flags.addAll(List.of("--set", key + "=" + value)));
        return flags;
    }

    private static Cli.Result cli(String command, String... more) {
        return Cli.run(Cli.args(command, flags(Map.of()), more));
    }

    @Test
    @Order(1)
    void ingestsOverSaslSslWithTheLoginFromAMountedSecret() throws Exception {
        Path recording = TestWavs.write(dir.resolve("secure.wav"), 24_000f, 16, 1, false, 2.0, new Tone(400, 0.5));
        Cli.Result ingest = cli("ingest", recording.toString());
        assertEquals(0, ingest.exitCode(), ingest.toString());
        assertTrue(ingest.out().contains("secure.wav"), ingest.out());
    }

    @Test
    @Order(2)
    void runsThePipelineOverSaslSslHttpsAndWss() {
        Cli.Result run = assertTimeoutPreemptively(Duration.ofSeconds(180),
                () -> cli("run", "--exit-when-drained"));
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(1, realtime.connectionsAccepted(), "one wss:// session with the provider");
    }

    @Test
    @Order(3)
    void reportsStatusFromAChildProcessWhoseTruststorePasswordComesFromItsEnvironment() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StreamscribeCli.class.getName(), "status", "--json"));
        command.addAll(flags(Map.of("kafka.ssl.truststore.password", "${env:KAFKA_TRUSTSTORE_PASSWORD}",
                "schema.registry.truststore.password", "${env:KAFKA_TRUSTSTORE_PASSWORD}")));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("KAFKA_TRUSTSTORE_PASSWORD", certificates.password());
        Process status = builder.start();
        String out = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(status.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, status.exitValue(), out);
        assertTrue(!String.join(" ", command).contains(certificates.password()), "no secret on the command line");
        JsonNode report = new ObjectMapper().readTree(out.lines().reduce((first, last) -> last).orElseThrow());
        assertEquals(1, report.path("sessions").path("done").asInt(), out);
        assertTrue(report.path("registry").path("reachable").asBoolean(), out);
    }

    @Test
    @Order(4)
    void exportsAndPlansAReplayOverTheSameSecuredConnections() throws Exception {
        Path out = dir.resolve("export");
        Cli.Result export = cli("export", "--out", out.toString(), "--format", "txt");
        assertEquals(0, export.exitCode(), export.toString());
        assertTrue(Files.isRegularFile(out.resolve("secure.txt")), export.toString());
        Cli.Result replay = cli("replay", "--all", "--dry-run");
        assertEquals(0, replay.exitCode(), replay.toString());
    }

    @Test
    @Order(5)
    void resetsWithKafkasStreamsResetterOverSaslSsl() throws Exception {
        Cli.Result reset = cli("reset", "--dry-run");
        assertEquals(0, reset.exitCode(), reset.toString());
        assertTrue(reset.out().contains("dry run: nothing changed"), reset.out());
        // the Admin client's settings went through a temporary file: it is gone again
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith("streamscribe-reset-")).toList());
        }
    }

    @Test
    @Order(6)
    void failsClearlyWhenTheLoginIsWrong() throws Exception {
        Path wrong = Files.createDirectories(dir.resolve("wrong-secrets"));
        Files.writeString(wrong.resolve("sasl.jaas.config"), "org.apache.kafka.common.security.scram.ScramLoginModule"
                + " required username=\"" + USER + "\" password=\"not-the-password\";\n");
        Cli.Result ingest = Cli.run(Cli.args("ingest", flags(Map.of("kafka.sasl.jaas.config",
                "${dir:" + wrong + ":sasl.jaas.config}")), dir.resolve("secure.wav").toString()));
        assertTrue(ingest.exitCode() != 0, ingest.toString());
        assertTrue((ingest.err() + ingest.out()).contains("Authentication failed"), ingest.toString());
        assertTrue(!(ingest.err() + ingest.out()).contains("not-the-password"), "the secret is not echoed");
    }
}
