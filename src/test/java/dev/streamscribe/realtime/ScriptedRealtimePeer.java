package dev.streamscribe.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamscribe.testing.Await;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A scripted realtime peer for driver tests: a real WebSocket server on 127.0.0.1 (Jetty) that records what each
 * connection received (URI, headers, every event, the close code) and answers as its {@link Script} says.
 * A test double of a provider, written for these tests; the full local realtime server is a separate product piece.
 *
 * <p>Threading: Jetty calls a connection's script from its own threads, one message at a time per connection;
 * the recorded lists are thread-safe.
 */
public final class ScriptedRealtimePeer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Reacts to one connection's events. One instance per connection. */
    public interface Script {
        default void onOpen(PeerConnection connection) {
        }

        void onEvent(PeerConnection connection, JsonNode event);
    }

    /** One accepted connection, as the peer saw it. */
    public static final class PeerConnection {
        public final URI uri;
        public final Map<String, String> headers;
        public final List<String> rawReceived = new CopyOnWriteArrayList<>();
        public final List<JsonNode> received = new CopyOnWriteArrayList<>();
        public final List<String> sent = new CopyOnWriteArrayList<>();
        /** Both directions in order: "in:TYPE" for what the driver sent, "out:TYPE" for what the peer sent. */
        public final List<String> timeline = new CopyOnWriteArrayList<>();
        public volatile int closeCode = -1;
        volatile Session session;

        PeerConnection(URI uri, Map<String, String> headers) {
            this.uri = uri;
            this.headers = headers;
        }

        public synchronized void send(String json) {
            sent.add(json);
            try {
                timeline.add("out:" + JSON.readTree(json).path("type").asText("?"));
            } catch (IOException e) {
                timeline.add("out:(not json)");
            }
            session.sendText(json, Callback.NOOP);
        }

        public void send(JsonNode event) {
            send(event.toString());
        }

        public void close(int code, String reason) {
            session.close(code, reason, Callback.NOOP);
        }

        /** Drops the TCP connection without a close frame (the client sees 1006). */
        public void drop() {
            session.disconnect();
        }

        /** The close code once the connection has closed (the driver completes its outcome before the close handshake). */
        public int awaitCloseCode(Duration timeout) {
            Await.until(() -> closeCode >= 0, timeout, "the connection to close");
            return closeCode;
        }

        public List<String> receivedTypes() {
            return received.stream().map(e -> e.path("type").asText()).toList();
        }

        public List<JsonNode> received(String type) {
            return received.stream().filter(e -> e.path("type").asText().equals(type)).toList();
        }
    }

    private final Server server;
    private final List<PeerConnection> connections = new CopyOnWriteArrayList<>();
    private volatile int refuseUpgradeWith;

    private ScriptedRealtimePeer(Supplier<Script> scripts) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        WebSocketUpgradeHandler upgrades = WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxTextMessageSize(64L * 1024 * 1024);
            container.setIdleTimeout(Duration.ofMinutes(5));
            container.addMapping("/*", (request, response, callback) -> {
                if (refuseUpgradeWith > 0) {
                    Response.writeError(request, response, callback, refuseUpgradeWith);
                    return null;
                }
                Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                request.getHeaders().forEach(field -> headers.put(field.getName(), field.getValue()));
                PeerConnection connection = new PeerConnection(request.getHttpURI().toURI(), headers);
                connections.add(connection);
                return new Endpoint(connection, scripts.get());
            });
        });
        server.setHandler(upgrades);
        server.start();
    }

    public static ScriptedRealtimePeer start(Supplier<Script> scripts) {
        try {
            return new ScriptedRealtimePeer(scripts);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the scripted peer: " + e.getMessage(), e);
        }
    }

    /** {@code ws://127.0.0.1:PORT/path}. */
    public URI url(String path) {
        return URI.create("ws://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + path);
    }

    /** Answer every further upgrade with this HTTP status (0 = accept again). */
    public void refuseUpgradesWith(int status) {
        refuseUpgradeWith = status;
    }

    public List<PeerConnection> connections() {
        return Collections.unmodifiableList(new ArrayList<>(connections));
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Public: Jetty binds to its methods through method handles. */
    public static final class Endpoint implements Session.Listener.AutoDemanding {
        private final PeerConnection connection;
        private final Script script;

        Endpoint(PeerConnection connection, Script script) {
            this.connection = connection;
            this.script = script;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            connection.session = session;
            script.onOpen(connection);
        }

        @Override
        public void onWebSocketText(String message) {
            connection.rawReceived.add(message);
            JsonNode event;
            try {
                event = JSON.readTree(message);
            } catch (IOException e) {
                throw new IllegalStateException("the driver sent invalid JSON: " + message, e);
            }
            connection.received.add(event);
            connection.timeline.add("in:" + event.path("type").asText());
            script.onEvent(connection, event);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // the driver closing first is normal in these tests; the close code is what they check
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            connection.closeCode = statusCode;
        }
    }
}
