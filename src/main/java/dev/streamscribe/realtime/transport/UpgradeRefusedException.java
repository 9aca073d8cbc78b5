package dev.streamscribe.realtime.transport;

/** The server answered the WebSocket upgrade with an HTTP error status instead of 101. */
public final class UpgradeRefusedException extends RuntimeException {
    private final int status;

    public UpgradeRefusedException(int status, String uri) {
        super("WebSocket upgrade refused with HTTP " + status + " by " + uri);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
