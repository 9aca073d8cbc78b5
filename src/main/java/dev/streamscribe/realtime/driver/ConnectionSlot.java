package dev.streamscribe.realtime.driver;

import dev.streamscribe.realtime.driver.ErrorClassifier.Purpose;
import dev.streamscribe.realtime.event.ClientEvent;
import dev.streamscribe.realtime.transport.RealtimeTransport.RealtimeConnection;
import dev.streamscribe.realtime.transport.RealtimeTransport;
import dev.streamscribe.realtime.wire.DialectCodec;
import dev.streamscribe.util.SerialExecutor;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A session's current provider connection: its generation (events and callbacks of a replaced connection are dropped
 * by it), the socket once open, when it opened and how many turns it carried (for rotation), whether we are closing
 * it on purpose, and what each event id we sent was for (an {@code error} names the event it answers).
 *
 * <p>Threading: touched only on the session's serial executor, like {@link SessionRun}; the socket's callbacks are
 * re-submitted there by {@link #listener}.
 */
final class ConnectionSlot {
    /** What one of our events was for, and for which turn (-1: the session). */
    record Correlation(Purpose purpose, int turnIndex) {
    }

    /** Append ids are remembered only this far back: a late error about an older append is not attributable. */
    private static final int APPEND_IDS_REMEMBERED = 4096;

    private final DialectCodec codec;
    private final Map<String, Correlation> controlEvents = new HashMap<>();
    private final Map<String, Correlation> appendEvents = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Correlation> eldest) {
            return size() > APPEND_IDS_REMEMBERED;
        }
    };
    private int generation;
    private int eventCounter;
    private RealtimeConnection connection;
    private long openedNanos;
    private int turns;
    private boolean closingOnPurpose;

    ConnectionSlot(DialectCodec codec) {
        this.codec = codec;
    }

    /** A new connection is being opened: it becomes the current generation, and the previous one is stale. */
    int beginConnecting() {
        closingOnPurpose = false;
        return ++generation;
    }

    int generation() {
        return generation;
    }

    boolean isCurrent(int connectionGeneration) {
        return connectionGeneration == generation;
    }

    /**
     * The listener of generation {@code connectionGeneration}'s socket: its messages and its close reach the session
     * on {@code serial}, and only while it is still the current connection.
     */
    RealtimeTransport.ConnectionListener listener(int connectionGeneration, SerialExecutor serial,
                                                  Consumer<String> onMessage, BiConsumer<Integer, String> onClosed) {
        return new RealtimeTransport.ConnectionListener() {
            @Override
            public void onMessage(String text) {
                serial.execute(() -> {
                    if (isCurrent(connectionGeneration)) {
                        onMessage.accept(text);
                    }
                });
            }

            @Override
            public void onClosed(int code, String reason) {
                serial.execute(() -> {
                    if (isCurrent(connectionGeneration)) {
                        onClosed.accept(code, reason);
                    }
                });
            }
        };
    }

    /** The current generation's socket opened. */
    void opened(RealtimeConnection opened, long nowNanos) {
        connection = opened;
        openedNanos = nowNanos;
        turns = 0;
    }

    Optional<RealtimeConnection> connection() {
        return Optional.ofNullable(connection);
    }

    Duration age(long nowNanos) {
        return Duration.ofNanos(nowNanos - openedNanos);
    }

    /** A turn started streaming on this connection. */
    void turnStarted() {
        turns++;
    }

    int turns() {
        return turns;
    }

    /** From now on, a close of this connection is ours, not the provider's. */
    void closeOnPurpose() {
        closingOnPurpose = true;
    }

    boolean closingOnPurpose() {
        return closingOnPurpose;
    }

    /** Encodes and sends {@code event} under a new event id that remembers what it was for. */
    CompletableFuture<Void> send(ClientEvent event, Purpose purpose, int turnIndex) {
        String eventId = nextEventId(purpose, turnIndex);
        Correlation correlation = new Correlation(purpose, turnIndex);
        if (purpose == Purpose.APPEND) {
            appendEvents.put(eventId, correlation);
        } else {
            controlEvents.put(eventId, correlation);
        }
        return connection.send(codec.encode(event, eventId));
    }

    /** What the event with {@code eventId} was for, if we sent it (and still remember it). */
    Optional<Correlation> correlate(String eventId) {
        Correlation control = controlEvents.get(eventId);
        return control != null ? Optional.of(control) : Optional.ofNullable(appendEvents.get(eventId));
    }

    private String nextEventId(Purpose purpose, int turnIndex) {
        int n = ++eventCounter;
        String kind = switch (purpose) {
            case CONFIG -> "cfg";
            case APPEND -> "append";
            case COMMIT -> "commit";
            case CLEAR -> "clear";
            case RESPONSE -> "rc";
            case CONTEXT -> "item";
        };
        return codec.eventId(kind, generation + "_" + (turnIndex >= 0 ? turnIndex + "_" : "") + n);
    }
}
