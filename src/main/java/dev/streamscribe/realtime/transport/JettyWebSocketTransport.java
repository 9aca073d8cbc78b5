package dev.streamscribe.realtime.transport;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.MessageTooLargeException;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link RealtimeTransport} on Jetty's WebSocket client: one client (thread pool, selector) shared by every
 * session of the JVM. Chosen over the JDK's {@code java.net.http.WebSocket}, which, measured here, sometimes
 * never reported a connection the server dropped without a close frame (the socket sat in CLOSE-WAIT): a session
 * would then wait for its timeouts instead of retrying at once.
 *
 * <p>Threading: Jetty delivers a connection's callbacks one at a time. Text messages arrive whole, bounded by
 * {@code maxMessageChars}: a larger one is reported as closed with 1009. Sends are chained so that messages go
 * out in call order with one outstanding at a time.
 */
public final class JettyWebSocketTransport implements RealtimeTransport, AutoCloseable {
    /** Close code for "message too big" (RFC 6455). */
    public static final int CLOSE_TOO_BIG = 1009;
    private static final int CLOSE_ABNORMAL = 1006;

    private final WebSocketClient client;

    public JettyWebSocketTransport(Duration connectTimeout, int maxMessageChars) {
        this(connectTimeout, maxMessageChars, Optional.empty());
    }

    /**
     * @param trust what wss:// certificates are verified against (a configured truststore), else the JDK's trust
     *              store; host names are verified either way (endpoint identification HTTPS)
     */
    public JettyWebSocketTransport(Duration connectTimeout, int maxMessageChars, Optional<SSLContext> trust) {
        SslContextFactory.Client tls = new SslContextFactory.Client();
        tls.setEndpointIdentificationAlgorithm("HTTPS");
        trust.ifPresent(tls::setSslContext);
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(tls);
        client = new WebSocketClient(new HttpClient(new HttpClientTransportOverHTTP(connector)));
        client.setConnectTimeout(connectTimeout.toMillis());
        client.setMaxTextMessageSize(maxMessageChars);
        client.setIdleTimeout(Duration.ofMinutes(10));
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the WebSocket client: " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<RealtimeConnection> connect(ConnectRequest request, ConnectionListener listener) {
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest();
        request.headers().forEach(upgrade::setHeader);
        Endpoint endpoint = new Endpoint(listener);
        try {
            return client.connect(endpoint, request.uri(), upgrade)
                    .<RealtimeConnection>thenApply(Connection::new)
                    .exceptionallyCompose(failure -> {
                        Throwable cause = unwrap(failure);
                        if (cause instanceof UpgradeException upgradeFailure && upgradeFailure.getResponseStatusCode() > 0) {
                            return CompletableFuture.failedFuture(new UpgradeRefusedException(
                                    upgradeFailure.getResponseStatusCode(), request.uri().toString()));
                        }
                        return CompletableFuture.failedFuture(cause);
                    });
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof UpgradeException) {
            return cause;
        }
        if (cause.getCause() instanceof UpgradeException upgrade) {
            return upgrade;
        }
        return cause;
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            // stopping a client whose connections are gone: nothing left to release
        }
    }

    private static final class Connection implements RealtimeConnection {
        private final Session session;
        private final CoreSession core;
        private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

        Connection(Session session) {
            this.session = session;
            this.core = ((WebSocketSession) session).getCoreSession();
        }

        /**
         * One text frame whose payload is {@code utf8} itself, through Jetty's core session: the API's
         * {@code sendText(String)} would encode a String into a new array first. The payload is only read (the
         * frame generator masks it into its own output buffer).
         */
        @Override
        public synchronized CompletableFuture<Void> send(byte[] utf8) {
            CompletableFuture<Void> sent = tail.handle((ignored, error) -> null).thenCompose(ignored -> {
                CompletableFuture<Void> written = new CompletableFuture<>();
                core.sendFrame(new Frame(OpCode.TEXT, ByteBuffer.wrap(utf8)),
                        org.eclipse.jetty.util.Callback.from(() -> written.complete(null), written::completeExceptionally),
                        false);
                return written;
            });
            tail = sent;
            return sent;
        }

        @Override
        public synchronized CompletableFuture<Void> close(int code, String reason) {
            CompletableFuture<Void> closed = tail.handle((ignored, error) -> null).thenCompose(ignored -> {
                CompletableFuture<Void> done = new CompletableFuture<>();
                session.close(code, reason, Callback.from(() -> done.complete(null), done::completeExceptionally));
                return done;
            });
            tail = closed;
            return closed;
        }

        @Override
        public void abort() {
            session.disconnect();
        }
    }

    /** Public: Jetty binds to its methods through method handles. */
    public static final class Endpoint implements Session.Listener.AutoDemanding {
        private final ConnectionListener listener;
        private final AtomicBoolean closed = new AtomicBoolean();

        Endpoint(ConnectionListener listener) {
            this.listener = listener;
        }

        @Override
        public void onWebSocketText(String message) {
            if (!closed.get()) {
                listener.onMessage(message);
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            reportClosed(statusCode, reason);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            if (cause instanceof MessageTooLargeException) {
                reportClosed(CLOSE_TOO_BIG, "server message too large: " + cause.getMessage());
            } else {
                reportClosed(CLOSE_ABNORMAL, "connection failed: " + cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
            }
        }

        private void reportClosed(int code, String reason) {
            if (closed.compareAndSet(false, true)) {
                listener.onClosed(code, reason);
            }
        }
    }
}
