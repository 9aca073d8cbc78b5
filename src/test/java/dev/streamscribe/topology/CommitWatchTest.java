package dev.streamscribe.topology;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whether a mark is committed: read from the stream thread's own commit count, or one interval after a request. */
class CommitWatchTest {
    private final Metrics metrics = new Metrics();

    @AfterEach
    void close() {
        metrics.close();
    }

    /** A stream thread's commit-total, as Kafka Streams registers it (CumulativeCount on the commit sensor). */
    private Sensor threadCommits(String threadName) {
        Sensor sensor = metrics.sensor("commit-" + threadName);
        sensor.add(new MetricName("commit-total", "stream-thread-metrics", "", Map.of("thread-id", threadName)),
                new CumulativeCount());
        return sensor;
    }

    @Test
    void itReadsTheCommitCountOfItsOwnThreadOnly() {
        Sensor mine = threadCommits("app-StreamThread-1");
        Sensor other = threadCommits("app-StreamThread-2");
        CommitWatch watch = new CommitWatch.ThreadCommits(
                CommitWatch.threadCommits(metrics.metrics(), "app-StreamThread-1").orElseThrow());
        long atMark = watch.position(0);
        other.record();
        assertFalse(watch.committedSince(atMark, 10_000), "another thread's commit does not carry this task's mark");
        mine.record();
        assertTrue(watch.committedSince(atMark, 10_000));
    }

    @Test
    void aMarkIsCommittedOnlyOnceTheThreadCompletesACommitAfterIt() {
        Sensor commits = threadCommits("app-StreamThread-1");
        commits.record();
        CommitWatch watch = new CommitWatch.ThreadCommits(
                CommitWatch.threadCommits(metrics.metrics(), "app-StreamThread-1").orElseThrow());
        long atMark = watch.position(0);
        assertFalse(watch.committedSince(atMark, 60_000), "time alone does not commit anything");
        assertFalse(watch.needsRequest(), "the thread commits the task's changes within its interval anyway");
        commits.record();
        assertTrue(watch.committedSince(atMark, 0));
    }

    @Test
    void withoutAStreamThreadItRequestsACommitAndWaitsOneInterval() {
        CommitWatch watch = CommitWatch.of(new MockProcessorContext<>(), 100);
        assertInstanceOf(CommitWatch.Elapsed.class, watch);
        assertTrue(watch.needsRequest());
        long atMark = watch.position(5_000);
        assertFalse(watch.committedSince(atMark, 5_099));
        assertTrue(watch.committedSince(atMark, 5_100));
    }

    @Test
    void aThreadWithoutTheMetricIsNotMistakenForOneWithIt() {
        threadCommits("app-StreamThread-1");
        assertEquals(java.util.Optional.empty(), CommitWatch.threadCommits(metrics.metrics(), "app-StreamThread-3"));
    }
}
