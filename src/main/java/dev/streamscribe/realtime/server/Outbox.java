package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Everything one connection sends goes through here, in order, and this is the one place the fault plan acts on
 * the link: it delays events, stalls (the server goes silent and stops reading) or drops the connection without a
 * close frame. The link is in one state:
 * <pre>
 * OPEN -stall-> STALLED      OPEN|STALLED -drop-> DROPPED      any -closed-> CLOSED
 * </pre>
 *
 * <p>Threading: {@link #send} and {@link #closed} run on the session's serial executor. With a delay in the fault
 * plan the writes run later on the shared executor, in order (a chain of futures); the state is an atomic reference
 * moved by compare-and-set, so a write on that executor and the serial executor never undo each other's move.
 */
final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    /** Where the link is. */
    enum LinkState { OPEN, STALLED, DROPPED, CLOSED }

    private final FaultPlan plan;
    private final Executor executor;
    private final String sessionId;
    private final AtomicReference<LinkState> state = new AtomicReference<>(LinkState.OPEN);
    private volatile Session socket;
    private CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);
    private int eventsSent;

    Outbox(FaultPlan plan, Executor executor, String sessionId) {
        this.plan = plan;
        this.executor = executor;
        this.sessionId = sessionId;
    }

    void attach(Session opened) {
        socket = opened;
    }

    LinkState state() {
        return state.get();
    }

    /** Whether client events are still read: not once the link stalled (the fault) or closed. */
    boolean reading() {
        LinkState now = state.get();
        return now == LinkState.OPEN || now == LinkState.DROPPED;
    }

    /** Queues {@code event} for the client, unless the link stalled or closed. */
    void send(ObjectNode event) {
        LinkState now = state.get();
        if (now == LinkState.CLOSED || now == LinkState.STALLED) {
            return;
        }
        if (plan.stallAfterEvents() >= 0 && eventsSent >= plan.stallAfterEvents()) {
            if (!moved(LinkState.STALLED, LinkState.OPEN)) {
                return; // dropped or closed meanwhile: nothing to stall
            }
            log.info("local realtime session {}: stalling after {} events (fault plan)", sessionId, eventsSent);
            return;
        }
        int ordinal = ++eventsSent;
        String text = event.toString();
        if (plan.eventDelay().isZero()) {
            write(text, ordinal);
        } else {
            pending = pending.thenRunAsync(() -> write(text, ordinal), CompletableFuture.delayedExecutor(
                    plan.eventDelay().toMillis(), TimeUnit.MILLISECONDS, executor));
        }
    }

    /** Runs {@code action} once everything queued so far has been written. */
    void afterPendingWrites(Runnable action) {
        pending = pending.thenRun(action);
    }

    /** The socket closed (either side). */
    void closed() {
        state.set(LinkState.CLOSED);
    }

    private void write(String text, int ordinal) {
        LinkState now = state.get();
        if (now == LinkState.DROPPED || now == LinkState.CLOSED || !socket.isOpen()) {
            return;
        }
        if (plan.closeAfterEvents() >= 0 && ordinal > plan.closeAfterEvents()) {
            if (!moved(LinkState.DROPPED, LinkState.OPEN) && !moved(LinkState.DROPPED, LinkState.STALLED)) {
                return;
            }
            log.info("local realtime session {}: dropping the connection after {} events (fault plan)", sessionId,
                    plan.closeAfterEvents());
            socket.disconnect();
            return;
        }
        socket.sendText(text, Callback.NOOP);
    }

    /** Moves {@code from -> target} if the link is in {@code from}: the only transitions are the diagram's. */
    private boolean moved(LinkState target, LinkState from) {
        return state.compareAndSet(from, target);
    }
}
