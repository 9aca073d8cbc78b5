package dev.streamscribe.topology;

import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.PriorityBlockingQueue;

/**
 * One task's dispatch queues: sessions waiting for a slot (live sessions' turns before batch sessions, and in each
 * the earliest allowed start first), its sessions in flight, and its finished attempts waiting to be written. Shared
 * by the task's SessionDispatcher and CompletionDrain.
 *
 * <p>Threading: waiting sessions are added and taken by the task's stream thread only (the queue is concurrent
 * so that the metrics scrape can count it). Attempts start on the stream thread and end on driver callback
 * threads: in-flight sessions and completions are concurrent collections.
 */
final class TaskQueues {
    /** A session waiting for a slot; {@code live}: a live session's turns (start AT_FIRST_TURN), served first. */
    record Waiting(String sessionId, long notBeforeMs, boolean live) {
    }

    private final Queue<Waiting> waitingLive = new PriorityBlockingQueue<>(16,
            Comparator.comparingLong(Waiting::notBeforeMs));
    private final Queue<Waiting> waiting = new PriorityBlockingQueue<>(16, Comparator.comparingLong(Waiting::notBeforeMs));
    private final Map<String, CompletableFuture<?>> inFlight = new ConcurrentHashMap<>();
    private final Queue<CompletedAttempt> completions = new ConcurrentLinkedQueue<>();
    private final Queue<FinishedTurn> finishedTurns = new ConcurrentLinkedQueue<>();
    private final Queue<StreamingTurn> streamingTurns = new ConcurrentLinkedQueue<>();

    /**
     * {@code sessionId} may start from {@code notBeforeMs} on (now, or after a retry backoff).
     *
     * @param live a live session (start AT_FIRST_TURN): it goes before every batch session due
     */
    void enqueue(String sessionId, long notBeforeMs, boolean live) {
        (live ? waitingLive : waiting).add(new Waiting(sessionId, notBeforeMs, live));
    }

    /** The waiting session next to start at {@code nowMs}: a live one due, else a batch one due, else none. */
    Optional<Waiting> peekDue(long nowMs) {
        Waiting next = waitingLive.peek();
        if (next != null && next.notBeforeMs() <= nowMs) {
            return Optional.of(next);
        }
        next = waiting.peek();
        return next != null && next.notBeforeMs() <= nowMs ? Optional.of(next) : Optional.empty();
    }

    /** Takes {@code due}, which {@link #peekDue} returned: the head of its queue (only the stream thread takes). */
    void take(Waiting due) {
        Waiting taken = (due.live() ? waitingLive : waiting).poll();
        if (!due.equals(taken)) {
            throw new IllegalStateException("took " + taken + " where " + due + " was due");
        }
    }

    /**
     * Whether no attempt is in flight and nothing an attempt finished waits to be written. In flight is read first:
     * an attempt that ends meanwhile queues its outcome before it stops counting as in flight ({@link #completed}).
     */
    boolean nothingToWrite() {
        return inFlight.isEmpty() && completions.isEmpty() && finishedTurns.isEmpty() && streamingTurns.isEmpty();
    }

    /** Whether no session waits for a slot (none due, none backing off). */
    boolean nothingWaiting() {
        return waitingLive.isEmpty() && waiting.isEmpty();
    }

    int waitingCount() {
        return waitingLive.size() + waiting.size();
    }

    /** An attempt of {@code sessionId} has started; cancelling {@code attempt} aborts it. */
    void started(String sessionId, CompletableFuture<?> attempt) {
        inFlight.put(sessionId, attempt);
    }

    boolean isInFlight(String sessionId) {
        return inFlight.containsKey(sessionId);
    }

    /** The attempt was cancelled (task revoked, pipeline stopping): nothing to write. */
    void cancelled(String sessionId) {
        inFlight.remove(sessionId);
    }

    /**
     * The attempt ended: its outcome is queued for the drain before the session stops counting as in flight, so
     * "nothing in flight and nothing queued" (a graceful stop's condition) is never true between the two.
     */
    void completed(CompletedAttempt attempt) {
        completions.add(attempt);
        inFlight.remove(attempt.sessionId());
    }

    /** A turn got its outcomes while its attempt goes on: written (checkpointed) before the attempt's outcome. */
    void turnFinished(FinishedTurn turn) {
        finishedTurns.add(turn);
    }

    /** The next finished turn to write, if any. */
    Optional<FinishedTurn> pollFinishedTurn() {
        return Optional.ofNullable(finishedTurns.poll());
    }

    /** A turn's audio started going to the provider: counted before the attempt's outcome is written. */
    void turnStreaming(StreamingTurn turn) {
        streamingTurns.add(turn);
    }

    Optional<StreamingTurn> pollStreamingTurn() {
        return Optional.ofNullable(streamingTurns.poll());
    }

    /** The next finished attempt to write, if any. */
    Optional<CompletedAttempt> pollCompletion() {
        return Optional.ofNullable(completions.poll());
    }

    boolean hasCompletions() {
        return !completions.isEmpty() || !finishedTurns.isEmpty();
    }

    /** The task is closing: its open sessions are cancelled and nothing waits any more. */
    void cancelAll() {
        inFlight.values().forEach(attempt -> attempt.cancel(true));
        waitingLive.clear();
        waiting.clear();
    }
}
