package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bare client written from the providers' documentation, independent of the driver: it sends the JSON it is
 * given and records every event in order, so tests can check the server's event order and error codes.
 */
final class RawRealtimeClient implements AutoCloseable, WebSocket.Listener {
    static final ObjectMapper JSON = new ObjectMapper();
    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    volatile int closeCode = -1;
    private volatile WebSocket socket;

    private RawRealtimeClient() {
    }

    static RawRealtimeClient connect(URI uri, Map<String, String> headers) {
        RawRealtimeClient client = new RawRealtimeClient();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(builder::header);
        client.socket = builder.buildAsync(uri, client).join();
        return client;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                JsonNode event = JSON.readTree(partial.toString());
                received.add(event);
                inbox.add(event);
            } catch (Exception e) {
                throw new IllegalStateException("server sent invalid JSON: " + partial, e);
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode = statusCode;
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode = 1006;
    }

    void send(String json) {
        socket.sendText(json, true).join();
    }

    /** Sends {@code json} as one message in frames of at most {@code frameChars} characters. */
    void sendInFrames(String json, int frameChars) {
        for (int start = 0; start < json.length(); start += frameChars) {
            int end = Math.min(json.length(), start + frameChars);
            socket.sendText(json.substring(start, end), end == json.length()).join();
        }
    }

    /** Pings the server; completes with the payload of the pong that answers it. */
    CompletableFuture<ByteBuffer> ping(ByteBuffer payload) {
        pong = new CompletableFuture<>();
        socket.sendPing(payload).join();
        return pong;
    }

    private volatile CompletableFuture<ByteBuffer> pong = new CompletableFuture<>();

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        ByteBuffer copy = ByteBuffer.allocate(message.remaining());
        copy.put(message).flip();
        pong.complete(copy);
        webSocket.request(1);
        return null;
    }

    /** The next event of {@code type}, skipping others; fails after the timeout. */
    JsonNode await(String type) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                JsonNode event = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (event != null && event.path("type").asText().equals(type)) {
                    return event;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("no " + type + " within 10 s; received " + types());
    }

    List<String> types() {
        return received.stream().map(e -> e.path("type").asText()).toList();
    }

    @Override
    public void close() {
        socket.sendClose(1000, "done").orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
}
