package dev.streamscribe.realtime.transport;

import java.net.URI;
import java.util.Map;
import java.util.stream.Collectors;

/** A WebSocket upgrade: URI and headers. {@link #toString()} hides credentials. */
public record ConnectRequest(URI uri, Map<String, String> headers) {
    public ConnectRequest {
        headers = Map.copyOf(headers);
    }

    @Override
    public String toString() {
        return "ConnectRequest[" + uri + ", headers=" + headers.keySet().stream()
                .map(name -> name.equalsIgnoreCase("Authorization") ? name + ": ***" : name + ": " + headers.get(name))
                .collect(Collectors.joining(", ", "{", "}")) + "]";
    }
}
