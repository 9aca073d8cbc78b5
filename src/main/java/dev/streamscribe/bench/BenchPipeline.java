package dev.streamscribe.bench;

import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.topology.Topics;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A pipeline in its own JVM, the typed topics to talk to it, and the client properties to reach its cluster; with
 * its application id, definition file and JVM options, so that it can be started again after a crash.
 */
record BenchPipeline(String id, ChildJvm jvm, Topics topics, Map<String, Object> clients, Path definition,
                     List<String> jvmOptions) implements AutoCloseable {
    /** A watcher of its session results from the beginning. */
    TopicWatcher<SessionResult> results() {
        return new TopicWatcher<>(clients, topics.sessionResults().name(), topics.sessionResults().valueSerde().deserializer());
    }

    @Override
    public void close() {
        jvm.close();
    }
}
