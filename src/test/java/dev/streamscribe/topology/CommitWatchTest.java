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
    private static final long INTERVAL_MS = 100;
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

    private CommitWatch watchOf(String threadName) {
        return new CommitWatch.ThreadCommits(CommitWatch.threadCommits(metrics.metrics(), threadName).orElseThrow(),
                INTERVAL_MS);
    }

    @Test
    void itReadsTheCommitCountOfItsOwnThreadOnly() {
        Sensor mine = threadCommits("app-StreamThread-1");
        Sensor other = threadCommits("app-StreamThread-2");
        CommitWatch watch = watchOf("app-StreamThread-1");
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
        CommitWatch watch = watchOf("app-StreamThread-1");
        long atMark = watch.position(0);
        assertFalse(watch.committedSince(atMark, 60_000), "time alone does not commit anything");
        commits.record();
        assertTrue(watch.committedSince(atMark, 0));
    }

    @Test
    void withoutAStreamThreadItRequestsACommitAndWaitsOneInterval() {
        CommitWatch watch = CommitWatch.of(new MockProcessorContext<>(), 100);
        assertInstanceOf(CommitWatch.Elapsed.class, watch);
        assertTrue(watch.needsRequest(5_000));
        long atMark = watch.position(5_000);
        assertFalse(watch.committedSince(atMark, 5_099));
        assertTrue(watch.committedSince(atMark, 5_100));
    }

    @Test
    void aThreadWithoutTheMetricIsNotMistakenForOneWithIt() {
        threadCommits("app-StreamThread-1");
        assertEquals(java.util.Optional.empty(), CommitWatch.threadCommits(metrics.metrics(), "app-StreamThread-3"));
    }

    @Test
    void aThreadThatHasNotCommittedLatelyIsAskedForACommit() {
        threadCommits("app-StreamThread-1").record();
        CommitWatch watch = watchOf("app-StreamThread-1");
        assertTrue(watch.needsRequest(1_000), "no commit seen yet: a lone mark would wait up to an interval");
    }

    @Test
    void aThreadCommittingEveryIntervalIsNotAskedForMore() {
        Sensor commits = threadCommits("app-StreamThread-1");
        CommitWatch watch = watchOf("app-StreamThread-1");
        watch.position(1_000);
        commits.record();
        watch.position(1_080);
        assertFalse(watch.needsRequest(1_150), "it committed 70 ms ago: the next commit is at most an interval away");
        assertTrue(watch.needsRequest(1_181), "nothing committed for more than an interval");
    }

    @Test
    void aCommitSeenOnlyAfterALongGapIsNotTakenForARecentOne() {
        Sensor commits = threadCommits("app-StreamThread-1");
        CommitWatch watch = watchOf("app-StreamThread-1");
        watch.position(1_000);
        commits.record();
        assertTrue(watch.needsRequest(6_000), "the commit happened somewhere in the last 5 s");
    }
}
