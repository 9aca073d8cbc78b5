package dev.streamscribe.bench;

import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.topology.Topics;

import java.util.Map;

/** A pipeline in its own JVM, the typed topics to talk to it, and the client properties to reach its cluster. */
record BenchPipeline(ChildJvm jvm, Topics topics, Map<String, Object> clients) implements AutoCloseable {
    /** A watcher of its session results from the beginning. */
    TopicWatcher<SessionResult> results() {
        return new TopicWatcher<>(clients, topics.sessionResults().name(), topics.sessionResults().valueSerde().deserializer());
    }

    @Override
    public void close() {
        jvm.close();
    }
}
