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
 * One task's dispatch queues: sessions waiting for a slot (earliest allowed start first), its sessions in flight,
 * and its finished attempts waiting to be written. Shared by the task's SessionDispatcher and CompletionDrain.
 *
 * <p>Threading: waiting sessions are added and taken by the task's stream thread only (the queue is concurrent
 * so that the metrics scrape can count it). Attempts start on the stream thread and end on driver callback
 * threads: in-flight sessions and completions are concurrent collections.
 */
final class TaskQueues {
    private record Waiting(String sessionId, long notBeforeMs) {
    }

    private final Queue<Waiting> waiting = new PriorityBlockingQueue<>(16, Comparator.comparingLong(Waiting::notBeforeMs));
    private final Map<String, CompletableFuture<?>> inFlight = new ConcurrentHashMap<>();
    private final Queue<CompletedAttempt> completions = new ConcurrentLinkedQueue<>();
    private final Queue<FinishedTurn> finishedTurns = new ConcurrentLinkedQueue<>();
    private final Queue<StreamingTurn> streamingTurns = new ConcurrentLinkedQueue<>();

    /** {@code sessionId} may start from {@code notBeforeMs} on (now, or after a retry backoff). */
    void enqueue(String sessionId, long notBeforeMs) {
        waiting.add(new Waiting(sessionId, notBeforeMs));
    }

    /** Whether a waiting session may start at {@code nowMs}. */
    boolean hasDue(long nowMs) {
        Waiting next = waiting.peek();
        return next != null && next.notBeforeMs() <= nowMs;
    }

    /** Takes the waiting session that may start at {@code nowMs}, earliest first. */
    Optional<String> pollDue(long nowMs) {
        return hasDue(nowMs) ? Optional.of(waiting.poll().sessionId()) : Optional.empty();
    }

    int waitingCount() {
        return waiting.size();
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
        waiting.clear();
    }
}
