package dev.streamscribe.registry;

import com.sun.net.httpserver.HttpServer;
import dev.streamscribe.registry.SchemaRegistryException.RegistryAuthenticationException;
import dev.streamscribe.registry.SchemaRegistryException.RegistryUnavailableException;
import dev.streamscribe.registry.SchemaRegistryException.SchemaNotFoundException;
import dev.streamscribe.registry.SchemaRegistryException.SubjectNotFoundException;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the client reports a registry that is down, slow, refusing or broken. The misbehaving registry is a tiny
 * JDK HTTP server on loopback that answers the way a failing registry does; the happy paths run against the real
 * registry in {@link SchemaRegistryClientIT}.
 */
class SchemaRegistryClientFailureTest {
    private HttpServer server;
    private final CountDownLatch released = new CountDownLatch(1);

    @AfterEach
    void stop() {
        released.countDown();
        if (server != null) {
            server.stop(0);
        }
    }

    private URI serve(int status, String body, long delayMillis, AtomicReference<String> authSeen) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            if (authSeen != null) {
                authSeen.set(exchange.getRequestHeaders().getFirst("Authorization"));
            }
            try {
                // a slow registry: answers after delayMillis, or when the test ends
                released.await(delayMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static SchemaRegistryClient client(URI url, Duration timeout) {
        return new SchemaRegistryClient(new RegistryClientConfig(url, Optional.empty(), timeout, true));
    }

    @Test
    void shouldReportARegistryThatIsDownAsUnavailable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        SchemaRegistryClient client = client(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(2));
        RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class, () -> client.schemaById(1));
        assertTrue(e.getMessage().contains("unreachable") && e.getMessage().contains("schema id 1"), e.getMessage());
    }

    @Test
    void shouldGiveUpOnASlowRegistryAfterTheTimeout() throws IOException {
        URI url = serve(200, "{\"schema\":\"\\\"string\\\"\"}", 5_000, null);
        SchemaRegistryClient client = client(url, Duration.ofMillis(300));
        RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class, () -> client.schemaById(7));
        assertTrue(e.getMessage().contains("did not answer within 300 ms"), e.getMessage());
    }

    @Test
    void shouldReportServerErrorsAsUnavailableSoCallersRetry() throws IOException {
        URI url = serve(503, "{\"error_code\":50301,\"message\":\"storage down\"}", 0, null);
        RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class,
                () -> client(url, Duration.ofSeconds(2)).schemaById(3));
        assertEquals(503, e.httpStatus());
        assertTrue(e.getMessage().contains("storage down"), e.getMessage());
    }

    @Test
    void shouldMapConfluentErrorCodes() throws IOException {
        URI url = serve(404, "{\"error_code\":40401,\"message\":\"Subject 'x' not found.\"}", 0, null);
        SubjectNotFoundException e = assertThrows(SubjectNotFoundException.class,
                () -> client(url, Duration.ofSeconds(2)).subjects());
        assertEquals(40401, e.errorCode());
    }

    @Test
    void shouldReportRefusedCredentialsWithoutEchoingThem() throws IOException {
        AtomicReference<String> auth = new AtomicReference<>();
        URI url = serve(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}", 0, auth);
        SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientConfig.of(url.toString())
                .withAuthorization(new BasicCredentials("svc", "s3cret-value")));
        RegistryAuthenticationException e = assertThrows(RegistryAuthenticationException.class, client::subjects);
        assertEquals("Basic c3ZjOnMzY3JldC12YWx1ZQ==", auth.get());
        assertFalse(e.getMessage().contains("s3cret-value"), e.getMessage());
        assertFalse(client.toString().contains("s3cret-value"));
        assertFalse(client.config().toString().contains("s3cret-value"), client.config().toString());
    }

    @Test
    void shouldTreatANonJsonAnswerAsAnOutageNotAsBadData() throws IOException {
        URI url = serve(200, "<html>proxy login</html>", 0, null);
        RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class,
                () -> client(url, Duration.ofSeconds(2)).schemaById(5));
        assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
    }

    @Test
    void shouldTreatA404WithoutARegistryErrorCodeAsAnOutage() throws IOException {
        URI url = serve(404, "<html>Not Found</html>", 0, null);
        RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class,
                () -> client(url, Duration.ofSeconds(2)).schemaById(5));
        assertTrue(e.getMessage().contains("not a schema registry's"), e.getMessage());
    }

    @Test
    void shouldTreatOnly40403AsAnUnknownSchemaId() throws IOException {
        URI url = serve(404, "{\"error_code\":40403,\"message\":\"Schema 5 not found\"}", 0, null);
        SchemaNotFoundException e = assertThrows(SchemaNotFoundException.class,
                () -> client(url, Duration.ofSeconds(2)).schemaById(5));
        assertEquals(40403, e.errorCode());
    }

    @Test
    void shouldTreatRefusedCredentialsAsAnOutageSoGoodRecordsWait() throws IOException {
        URI url = serve(403, "{\"error_code\":40301,\"message\":\"Forbidden\"}", 0, null);
        RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class,
                () -> client(url, Duration.ofSeconds(2)).schemaById(5));
        assertInstanceOf(RegistryAuthenticationException.class, e);
        assertTrue(e.getMessage().contains("credentials"), e.getMessage());
    }

    @Test
    void shouldRetryAnOutageWithinItsBudgetAndSucceedWhenTheRegistryIsBack() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            boolean down = calls.incrementAndGet() <= 2;
            byte[] bytes = (down ? "<html>maintenance</html>" : "{\"schema\":\"\\\"string\\\"\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(down ? 404 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        SchemaRegistryClient client = new SchemaRegistryClient(new RegistryClientConfig(url, Optional.empty(),
                Duration.ofSeconds(2), true, Duration.ofSeconds(10)));
        assertEquals(Schema.Type.STRING, client.schemaById(9).getType());
        assertEquals(3, calls.get(), "two answers from something else, then the registry");
    }

    @Test
    void anOutageIsReportedWhileCallersWaitAndClearedByTheNextAnswer() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch thirdCall = new CountDownLatch(1);
        CountDownLatch back = new CountDownLatch(1);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            boolean down = back.getCount() > 0;
            if (calls.incrementAndGet() >= 3) {
                thirdCall.countDown();
            }
            byte[] bytes = (down ? "{\"error_code\":50301,\"message\":\"down\"}" : "{\"schema\":\"\\\"string\\\"\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(down ? 503 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        SchemaRegistryClient client = new SchemaRegistryClient(new RegistryClientConfig(url, Optional.empty(),
                Duration.ofSeconds(2), true, Duration.ofSeconds(30)));
        assertTrue(client.health().outage().isEmpty(), "nothing seen yet");
        var caller = Executors.newSingleThreadExecutor().submit(() -> client.schemaById(9));
        assertTrue(thirdCall.await(30, TimeUnit.SECONDS), "the caller retries");
        assertEquals(1, client.health().waiting(), "one caller waits through the outage");
        String line = client.health().describe(Instant.now()).orElseThrow();
        assertTrue(line.startsWith("schema registry unavailable for ") && line.contains("1 caller(s) waiting"), line);
        back.countDown();
        assertEquals(Schema.Type.STRING, caller.get(30, TimeUnit.SECONDS).getType());
        assertEquals(0, client.health().waiting());
        assertTrue(client.health().outage().isEmpty(), "the answer ends the outage");
    }

    @Test
    void aRegistrysOwnErrorIsAnAnswerNotAnOutage() throws IOException {
        SchemaRegistryClient client = client(serve(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}", 0,
                null), Duration.ofSeconds(2));
        assertThrows(SchemaNotFoundException.class, () -> client.schemaById(7));
        assertTrue(client.health().outage().isEmpty());
    }
}
