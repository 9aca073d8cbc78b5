package dev.streamscribe.topology;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.processor.api.ProcessorContext;

import java.util.Map;
import java.util.Optional;

/**
 * Tells a processor whether its task's writes have been committed since a moment it noted: the dispatcher calls the
 * provider only once a session's IN_FLIGHT mark is on record (docs/architecture.md section 4).
 *
 * <p>It reads the stream thread's own count of completed commits, Kafka Streams' documented {@code commit-total}
 * metric of {@code stream-thread-metrics}, tagged with the thread's name. The thread records it after the commit
 * returned (under exactly-once: after the transaction committed), and a commit takes every task of the thread that
 * has changes; the processor writes its mark in {@code process} or a punctuation, both of which run before the
 * thread's next commit and leave the task needing one. So a count higher than the one noted at the mark means the
 * mark is committed. The dispatcher used to request a commit at every mark: each request is one more transaction,
 * and during a burst of admissions the stream thread then committed after every poll loop, waiting on the broker
 * each time (at 1,000 sessions in flight: about 15 commits a second and 8-10 s to connect the first 1,000, against
 * 7.7 and 4.3-4.8 s now; bench, concurrency phase). Now it asks only when the thread has not committed within the
 * last interval ({@link #needsRequest}): during a burst the thread commits every interval anyway, and a lone session
 * on an idle pipeline still has its mark committed at once rather than up to an interval later (never asking cost
 * it about 95 ms at the median; bench, added latency).
 *
 * <p>Where the thread has no such metric (the TopologyTestDriver runs no stream thread), it falls back to what the
 * dispatcher did before: the caller requests a commit at the mark and waits one commit interval, since Kafka
 * Streams commits a requested task after the poll loop it is in.
 *
 * <p>Threading: the stream thread only (the thread that initialised the processor; a task that moves to another
 * thread is initialised again there).
 */
sealed interface CommitWatch {
    /** The position to note at a mark: whatever {@link #committedSince} compares with. */
    long position(long nowMs);

    /** Whether a commit completed after {@code position} was noted. */
    boolean committedSince(long position, long nowMs);

    /**
     * Whether the caller should request a commit at its mark: always where only time can tell, and with a commit
     * count only when the thread has not committed within the last interval (idle until now: the request saves up to
     * an interval of waiting, and costs one transaction at a time when there are few).
     */
    boolean needsRequest(long nowMs);

    /** The watch for the processor's task, on the thread this is called from (its {@code init}). */
    static CommitWatch of(ProcessorContext<?, ?> context, long commitIntervalMs) {
        return threadCommits(context.metrics().metrics(), Thread.currentThread().getName())
                .<CommitWatch>map(metric -> new ThreadCommits(metric, commitIntervalMs))
                .orElseGet(() -> new Elapsed(commitIntervalMs));
    }

    /** The {@code commit-total} metric of the stream thread named {@code threadName}, when the thread has one. */
    static Optional<Metric> threadCommits(Map<MetricName, ? extends Metric> metrics, String threadName) {
        return metrics.entrySet().stream()
                .filter(entry -> entry.getKey().name().equals("commit-total")
                        && entry.getKey().group().equals("stream-thread-metrics")
                        && threadName.equals(entry.getKey().tags().get("thread-id")))
                .<Metric>map(Map.Entry::getValue)
                .findFirst();
    }

    /**
     * Counts the stream thread's completed commits, and remembers when it last saw the count move: a thread that
     * committed within the last interval is committing regularly (it has changes), so its next commit is at most an
     * interval away and asking for one would only add a transaction.
     */
    final class ThreadCommits implements CommitWatch {
        private final Metric commitTotal;
        private final long commitIntervalMs;
        private long lastCount = -1;
        private long lastReadAtMs;
        private long lastMovedAtMs = Long.MIN_VALUE;

        ThreadCommits(Metric commitTotal, long commitIntervalMs) {
            this.commitTotal = commitTotal;
            this.commitIntervalMs = commitIntervalMs;
        }

        @Override
        public long position(long nowMs) {
            return count(nowMs);
        }

        @Override
        public boolean committedSince(long position, long nowMs) {
            return count(nowMs) > position;
        }

        @Override
        public boolean needsRequest(long nowMs) {
            count(nowMs);
            return lastMovedAtMs == Long.MIN_VALUE || nowMs - lastMovedAtMs > commitIntervalMs;
        }

        /**
         * Reads the count. A move counts as recent only when the previous read was within an interval too: seen after a
         * long gap (an idle task punctuating every few seconds), the commit could be from any time in between.
         */
        private long count(long nowMs) {
            long count = ((Number) commitTotal.metricValue()).longValue();
            if (count != lastCount && lastCount >= 0 && nowMs - lastReadAtMs <= commitIntervalMs) {
                lastMovedAtMs = nowMs;
            }
            lastCount = count;
            lastReadAtMs = nowMs;
            return count;
        }
    }

    /** No commit count to read: a requested commit is taken to be done one commit interval after the mark. */
    record Elapsed(long commitIntervalMs) implements CommitWatch {
        @Override
        public long position(long nowMs) {
            return nowMs;
        }

        @Override
        public boolean committedSince(long position, long nowMs) {
            return nowMs - position >= commitIntervalMs;
        }

        @Override
        public boolean needsRequest(long nowMs) {
            return true;
        }
    }
}
