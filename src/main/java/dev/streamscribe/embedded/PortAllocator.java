package dev.streamscribe.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Loopback ports for the embedded services. */
public final class PortAllocator {
    private PortAllocator() {
    }

    /** A port on 127.0.0.1 that was free a moment ago. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    /**
     * Fails with a message naming the port and its user when {@code port} on 127.0.0.1 is taken.
     *
     * @param what who wants the port, e.g. "Kafka broker listener"
     */
    public static void requireFree(int port, String what) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " on 127.0.0.1 is already in use, so the " + what
                    + " cannot start there: stop whatever holds it or choose another port", e);
        }
    }

    /** {@code port}, or a free one when it is 0, checked to be free. */
    public static int resolve(int port, String what) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " port must be 0..65535, got " + port);
        }
        if (port == 0) {
            return freePort();
        }
        requireFree(port, what);
        return port;
    }
}
