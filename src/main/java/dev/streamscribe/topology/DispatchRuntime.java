package dev.streamscribe.topology;

import dev.streamscribe.realtime.driver.RealtimeSessionDriver;
import org.apache.kafka.streams.processor.TaskId;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * What the dispatchers of all tasks in one JVM share: the session driver, the audio reader, the one JVM-wide limit
 * on sessions in flight ({@code realtime.max-concurrent-sessions}), and a completion queue per task, filled by
 * driver callbacks and drained by that task's CompletionDrain on its stream thread.
 *
 * <p>Threading: thread-safe. Stream threads take permits and poll their task's queue; driver callbacks (on the
 * driver's executor) add to queues and release permits.
 */
public final class DispatchRuntime {
    private final RealtimeSessionDriver driver;
    private final AudioReader audio;
    private final Semaphore slots;
    private final int maxConcurrent;
    private final int maxAttempts;
    private final java.time.Duration retryBackoff;
    private final Map<TaskId, TaskDispatch> tasks = new ConcurrentHashMap<>();

    /**
     * @param maxAttempts  attempts per run before a transient failure becomes FAILED
     * @param retryBackoff delay before the second attempt; doubled for each further one, with jitter
     */
    private final dev.streamscribe.metrics.PipelineMetrics metrics;

    public DispatchRuntime(RealtimeSessionDriver driver, AudioReader audio, int maxConcurrentSessions, int maxAttempts,
                           java.time.Duration retryBackoff, dev.streamscribe.metrics.PipelineMetrics metrics) {
        this.metrics = metrics;
        metrics.bindGauges(() -> tasks.values().stream().mapToInt(t -> t.waiting.size()).sum(), this::inFlight);
        this.driver = driver;
        this.audio = audio;
        this.maxConcurrent = maxConcurrentSessions;
        this.slots = new Semaphore(maxConcurrentSessions);
        this.maxAttempts = maxAttempts;
        this.retryBackoff = retryBackoff;
    }

    public dev.streamscribe.metrics.PipelineMetrics metrics() {
        return metrics;
    }

    int maxAttempts() {
        return maxAttempts;
    }

    /** Backoff before attempt {@code next} (2, 3, ...): base * 2^(next-2), plus up to 50% jitter. */
    long backoffMs(int next) {
        long base = retryBackoff.toMillis() << Math.min(20, Math.max(0, next - 2));
        return base + (long) (Math.random() * base / 2);
    }

    RealtimeSessionDriver driver() {
        return driver;
    }

    AudioReader audio() {
        return audio;
    }

    private volatile boolean admitting = true;
    /** Admission is paused until this time after the provider signalled a rate limit (0 = not paused). */
    private final java.util.concurrent.atomic.AtomicLong pausedUntilMs = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger rateLimitStreak = new java.util.concurrent.atomic.AtomicInteger();

    boolean tryAcquireSlot(long nowMs) {
        return admitting && nowMs >= pausedUntilMs.get() && slots.tryAcquire();
    }

    /**
     * A session hit a rate limit (a rate_limit_exceeded error or a refused upgrade with 429): admission pauses,
     * for 1 s doubling with each further hit in a row up to 60 s, so the pipeline backs off the provider as a whole.
     */
    public void rateLimitHit(long nowMs) {
        long pause = Math.min(60_000, 1_000L << Math.min(6, rateLimitStreak.getAndIncrement()));
        pausedUntilMs.accumulateAndGet(nowMs + pause, Math::max);
        metrics.rateLimited();
    }

    /** A session finished without a rate limit: the back-off streak ends. */
    public void rateLimitClear() {
        rateLimitStreak.set(0);
    }

    /**
     * The provider's {@code rate_limits.updated}: when fewer than a tenth of any limit remains, admission pauses
     * until that limit resets (at most 60 s), before the provider has to refuse anything.
     */
    public void rateLimitsReported(java.util.List<dev.streamscribe.realtime.event.RateLimit> limits, long nowMs) {
        for (var limit : limits) {
            if (limit.limit() > 0 && limit.remaining() * 10 < limit.limit()) {
                long pause = Math.min(60_000, (long) (limit.resetSeconds() * 1000));
                pausedUntilMs.accumulateAndGet(nowMs + pause, Math::max);
                metrics.rateLimited();
            }
        }
    }

    /** When admission resumes after a rate limit (epoch ms; in the past when not paused). */
    public long pausedUntilMs() {
        return pausedUntilMs.get();
    }

    /** Graceful stop, first step: no new session starts; those in flight go on. */
    public void stopAdmission() {
        admitting = false;
    }

    /** Whether every session has finished and every outcome has been written. */
    public boolean drained() {
        return inFlight() == 0 && tasks.values().stream().allMatch(t -> t.completions.isEmpty());
    }

    void releaseSlot() {
        slots.release();
    }

    /** Sessions in flight in this JVM right now. */
    public int inFlight() {
        return maxConcurrent - slots.availablePermits();
    }

    /** The dispatch state of one task, shared by its SessionDispatcher and CompletionDrain. */
    TaskDispatch task(TaskId task) {
        return tasks.computeIfAbsent(task, t -> new TaskDispatch());
    }

    void forget(TaskId task) {
        tasks.remove(task);
    }

    /**
     * One task's sessions waiting for a slot (with the earliest time each may start), its sessions in flight, and
     * its finished attempts. Waiting and in-flight are touched by the task's stream thread only; completions also
     * by driver callbacks.
     */
    static final class TaskDispatch {
        final java.util.PriorityQueue<Waiting> waiting = new java.util.PriorityQueue<>(
                java.util.Comparator.comparingLong(Waiting::notBeforeMs));
        final Map<String, java.util.concurrent.CompletableFuture<?>> inFlight = new ConcurrentHashMap<>();
        final Queue<CompletedAttempt> completions = new ConcurrentLinkedQueue<>();
    }

    record Waiting(String sessionId, long notBeforeMs) {
    }
}
