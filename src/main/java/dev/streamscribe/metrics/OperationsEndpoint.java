package dev.streamscribe.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * The operator's view of one instance over HTTP on {@code operations.host} (127.0.0.1 unless a container says 0.0.0.0): {@code /metrics} (Prometheus text: streamscribe's
 * meters and Kafka Streams' own), {@code /health} (liveness: 200 while the process is alive and Streams has not
 * failed; conditions such as a registry outage or a rate-limit pause are lines of the body, never a 503) and
 * {@code /ready} (200 only while Streams is RUNNING).
 *
 * <p>Threading: the JDK HTTP server's single dispatcher thread answers; meters and Streams' state are thread-safe.
 */
public final class OperationsEndpoint implements AutoCloseable {
    private final HttpServer server;

    private OperationsEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Serves on {@code port} of 127.0.0.1 (0 = any free port). */
    public static OperationsEndpoint start(int port, PrometheusMeterRegistry registry, Supplier<KafkaStreams.State> state,
                                           Supplier<List<String>> conditions) {
        return start("127.0.0.1", port, registry, state, conditions);
    }

    /**
     * Serves on {@code host}:{@code port} (0 = any free port); fails with a message naming both when the address
     * cannot be bound.
     */
    public static OperationsEndpoint start(String host, int port, PrometheusMeterRegistry registry,
                                           Supplier<KafkaStreams.State> state, Supplier<List<String>> conditions) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve /metrics, /health and /ready on " + host + ":" + port + " ("
                    + e.getMessage() + "): set operations.host to an address of this machine and operations.port to "
                    + "a free port", e);
        }
        server.createContext("/metrics", exchange -> reply(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape()));
        server.createContext("/health", exchange -> {
            KafkaStreams.State current = state.get();
            boolean alive = current != KafkaStreams.State.ERROR && current != KafkaStreams.State.NOT_RUNNING;
            StringBuilder body = new StringBuilder(alive ? "UP " : "DOWN ").append(current).append('\n');
            conditions.get().forEach(line -> body.append(line).append('\n'));
            reply(exchange, alive ? 200 : 503, "text/plain; charset=utf-8", body.toString());
        });
        server.createContext("/ready", exchange -> {
            KafkaStreams.State current = state.get();
            boolean ready = current == KafkaStreams.State.RUNNING;
            reply(exchange, ready ? 200 : 503, "text/plain; charset=utf-8", (ready ? "READY " : "NOT READY ") + current + "\n");
        });
        server.start();
        return new OperationsEndpoint(server);
    }

    private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
