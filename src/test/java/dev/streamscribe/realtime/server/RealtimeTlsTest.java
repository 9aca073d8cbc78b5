package dev.streamscribe.realtime.server;

import dev.streamscribe.config.ConfigReferences;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.config.TrustStores;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.RealtimeEndpoint;
import dev.streamscribe.realtime.driver.DriverSettings;
import dev.streamscribe.realtime.driver.RealtimeSessionDriver;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.transport.JettyWebSocketTransport;
import dev.streamscribe.testing.ListAudioPublisher;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestCertificates;
import dev.streamscribe.testing.TestConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver over wss:// to the local realtime server presenting a certificate made for this test: it completes a
 * session when realtime.truststore trusts the certificate, and refuses (TLS_FAILED, saying why, counted as a
 * connection failure) an untrusted certificate or one for another host name.
 */
class RealtimeTlsTest {
    @TempDir
    static Path dir;
    private static TestCertificates certificates;
    private static final ExecutorService executor = Executors.newFixedThreadPool(2);
    private static final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void makeCertificates() {
        certificates = TestCertificates.create(dir);
    }

    @AfterAll
    static void stop() {
        executor.shutdownNow();
        timer.shutdownNow();
    }

    private static SSLContext trustingTheTestCertificates() {
        return TrustStores.sslContext("realtime.truststore", new PipelineConfig.TrustStore(certificates.trustStore(),
                "PKCS12", Optional.of("${env:TRUSTSTORE_PASSWORD}")),
                new ConfigReferences(Map.of("TRUSTSTORE_PASSWORD", certificates.password())));
    }

    private static SessionOutcome runSession(Path identity, Optional<SSLContext> trust, String host) {
        LocalRealtimeServer.Options options = LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine())
                .withTls(new TlsIdentity(identity, "PKCS12", certificates.password()));
        try (LocalRealtimeServer server = LocalRealtimeServer.start(options);
             JettyWebSocketTransport transport = new JettyWebSocketTransport(Duration.ofSeconds(5), 1 << 24, trust)) {
            URI url = URI.create(server.url(Dialect.OPENAI_GA).toString().replace("127.0.0.1", host));
            assertEquals("wss", url.getScheme());
            RealtimeSessionDriver driver = new RealtimeSessionDriver(new RealtimeEndpoint(Dialect.OPENAI_GA, url,
                    Optional.empty()), transport, new DriverSettings(Duration.ofSeconds(10), Duration.ofSeconds(30),
                    Duration.ofMinutes(55)), executor, timer);
            return driver.run(TestAudio.request(TestConfigs.transcription(Dialect.OPENAI_GA, "s-tls"), 1000),
                    new ListAudioPublisher(TestAudio.pieces(24_000, 1000))).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the driver did not finish: " + e, e);
        }
    }

    @Test
    void completesASessionOverWssWhenTheTruststoreTrustsTheCertificate() {
        SessionOutcome outcome = runSession(certificates.server(), Optional.of(trustingTheTestCertificates()), "127.0.0.1");
        SessionOutcome.Completed completed = assertInstanceOf(SessionOutcome.Completed.class, outcome, outcome.toString());
        assertEquals(1, completed.turns().size());
    }

    @Test
    void refusesACertificateTheJdkDoesNotTrustAndSaysWhatToConfigure() {
        SessionOutcome outcome = runSession(certificates.server(), Optional.empty(), "127.0.0.1");
        SessionOutcome.Failed failed = assertInstanceOf(SessionOutcome.Failed.class, outcome);
        assertEquals("TLS_FAILED", failed.classification().reason());
        assertTrue(failed.classification().message().contains("certificate is not trusted (set "
                + "realtime.truststore.location"), failed.classification().message());
        assertTrue(failed.classification().connectionLevel(), "counted by the provider breaker, not as the session's own");
    }

    @Test
    void refusesATrustedCertificateForAnotherHostName() {
        SessionOutcome outcome = runSession(certificates.otherHost(), Optional.of(trustingTheTestCertificates()),
                "127.0.0.1");
        SessionOutcome.Failed failed = assertInstanceOf(SessionOutcome.Failed.class, outcome);
        assertEquals("TLS_FAILED", failed.classification().reason());
        assertTrue(failed.classification().message().contains("certificate does not name 127.0.0.1"),
                failed.classification().message());
    }

    @Test
    void namesTheTruststoreWhenItsPasswordIsWrong() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.streamscribe.config.ConfigException.class,
                () -> TrustStores.sslContext("realtime.truststore", new PipelineConfig.TrustStore(
                        certificates.trustStore(), "PKCS12", Optional.of("wrong-password")), new ConfigReferences(Map.of())));
        assertEquals("realtime.truststore.location", e.key());
        assertTrue(e.getMessage().contains("cannot open the PKCS12 truststore " + certificates.trustStore()), e.getMessage());
        assertTrue(!e.getMessage().contains("wrong-password"), e.getMessage());
    }
}
