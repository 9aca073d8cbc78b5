package dev.streamscribe.realtime.transport;

import java.util.concurrent.CompletableFuture;

/** Opens WebSocket connections to a realtime provider. Implementations are thread-safe. */
public interface RealtimeTransport {
    /**
     * Connects; the future fails with {@link UpgradeRefusedException} when the server answers the upgrade with an
     * HTTP error, or another exception when it cannot be reached.
     */
    CompletableFuture<RealtimeConnection> connect(ConnectRequest request, ConnectionListener listener);

    /** Callbacks from one connection, in order, never concurrently. */
    interface ConnectionListener {
        void onMessage(String text);

        /** The server closed, or the connection broke ({@code code} 1006 then). Called at most once. */
        void onClosed(int code, String reason);
    }

    /** One open connection. {@link #send} may be called from any thread; messages go out in call order. */
    interface RealtimeConnection {
        /** Sends {@code utf8} (a JSON text, UTF-8, left unchanged) as one text message. */
        CompletableFuture<Void> send(byte[] utf8);

        /** Closes with {@code code}; the listener then sees onClosed. */
        CompletableFuture<Void> close(int code, String reason);

        /** Drops the connection at once (cancellation). */
        void abort();
    }
}
