package dev.streamscribe.realtime.transport;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link RealtimeTransport} on the JDK's {@code java.net.http.WebSocket}: no extra dependency, non-blocking,
 * one shared HttpClient for all sessions.
 *
 * <p>Threading: the JDK delivers listener callbacks one at a time per connection on its own threads; this class
 * reassembles fragmented text messages (bounded by {@code maxMessageBytes}: a larger message closes the
 * connection with 1009 and reports it as closed) and requests the next frame only after handing one over. Sends
 * are chained so that at most one is outstanding, as the JDK requires.
 */
public final class JdkWebSocketTransport implements RealtimeTransport {
    /** Close code for "message too big" (RFC 6455). */
    public static final int CLOSE_TOO_BIG = 1009;

    private final HttpClient client;
    private final Duration connectTimeout;
    private final int maxMessageChars;

    public JdkWebSocketTransport(Duration connectTimeout, int maxMessageChars) {
        this.client = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        this.connectTimeout = connectTimeout;
        this.maxMessageChars = maxMessageChars;
    }

    @Override
    public CompletableFuture<RealtimeConnection> connect(ConnectRequest request, ConnectionListener listener) {
        WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(connectTimeout);
        request.headers().forEach(builder::header);
        Adapter adapter = new Adapter(listener, maxMessageChars);
        return builder.buildAsync(request.uri(), adapter)
                .<RealtimeConnection>thenApply(Connection::new)
                .exceptionallyCompose(failure -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof WebSocketHandshakeException handshake) {
                        return CompletableFuture.failedFuture(new UpgradeRefusedException(
                                handshake.getResponse().statusCode(), request.uri().toString()));
                    }
                    return CompletableFuture.failedFuture(cause);
                });
    }

    private static final class Connection implements RealtimeConnection {
        private final WebSocket socket;
        private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

        Connection(WebSocket socket) {
            this.socket = socket;
        }

        @Override
        public synchronized CompletableFuture<Void> send(String text) {
            CompletableFuture<Void> sent = tail.handle((ignored, error) -> null)
                    .thenCompose(ignored -> socket.sendText(text, true)).thenApply(ws -> null);
            tail = sent;
            return sent;
        }

        @Override
        public synchronized CompletableFuture<Void> close(int code, String reason) {
            CompletableFuture<Void> closed = tail.handle((ignored, error) -> null)
                    .thenCompose(ignored -> socket.sendClose(code, reason)).thenApply(ws -> null);
            tail = closed;
            return closed;
        }

        @Override
        public void abort() {
            socket.abort();
        }
    }

    private static final class Adapter implements WebSocket.Listener {
        private final ConnectionListener listener;
        private final int maxChars;
        private final AtomicBoolean closed = new AtomicBoolean();
        private StringBuilder partial = new StringBuilder();

        Adapter(ConnectionListener listener, int maxChars) {
            this.listener = listener;
            this.maxChars = maxChars;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (partial.length() + data.length() > maxChars) {
                partial = new StringBuilder();
                webSocket.sendClose(CLOSE_TOO_BIG, "message too big");
                reportClosed(CLOSE_TOO_BIG, "server message larger than " + maxChars + " characters");
                webSocket.abort();
                return null;
            }
            partial.append(data);
            if (last) {
                String message = partial.toString();
                partial = new StringBuilder();
                if (!closed.get()) {
                    listener.onMessage(message);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1); // the realtime protocol is text-only; binary frames are ignored
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            reportClosed(statusCode, reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            reportClosed(1006, "connection failed: " + error.getClass().getSimpleName()
                    + (error.getMessage() == null ? "" : ": " + error.getMessage()));
        }

        private void reportClosed(int code, String reason) {
            if (closed.compareAndSet(false, true)) {
                listener.onClosed(code, reason);
            }
        }
    }
}
