package dev.streamscribe.config;

/** Host names as the configuration judges them. */
public final class Hosts {
    private Hosts() {
    }

    /** Whether {@code host} names this machine: localhost, 127.0.0.0/8 or ::1 (no name lookup). */
    public static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")
                || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }
}
