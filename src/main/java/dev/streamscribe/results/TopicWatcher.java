package dev.streamscribe.results;

import org.apache.kafka.common.serialization.Deserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Watches one output topic from its beginning (group-less, read_committed, through {@link TopicReader}) and keeps
 * every record by key: "wait until N sessions have their result", shared by {@code demo}, {@code bench} and the
 * tests instead of each polling on its own.
 *
 * <p>Threading: not thread-safe (a Kafka consumer); one thread per watcher.
 */
public final class TopicWatcher<V> implements AutoCloseable {
    private static final Duration DEFAULT_POLL = Duration.ofMillis(200);

    private final TopicReader<V> reader;
    private final Map<String, List<V>> byKey = new LinkedHashMap<>();
    private long records;

    public TopicWatcher(Map<String, Object> clientProperties, String topic, Deserializer<V> values) {
        this.reader = new TopicReader<>(clientProperties, topic, values);
    }

    /**
     * Reads until {@code done} holds for what has been seen, or {@code timeout} passes; returns what has been seen
     * either way (callers assert on it).
     */
    public Map<String, List<V>> awaitUntil(Predicate<Map<String, List<V>>> done, Duration timeout) {
        return awaitUntil(done, timeout, DEFAULT_POLL);
    }

    /**
     * As {@link #awaitUntil(Predicate, Duration)}, polling at most {@code poll} at a time: a short poll makes the
     * moment a record is seen exact (the bench measures latency this way).
     */
    public Map<String, List<V>> awaitUntil(Predicate<Map<String, List<V>>> done, Duration timeout, Duration poll) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(seen()) && System.nanoTime() < deadline) {
            poll(poll);
        }
        return seen();
    }

    /** Reads until records under at least {@code keys} distinct keys have been seen, or the timeout passes. */
    public Map<String, List<V>> awaitKeys(int keys, Duration timeout) {
        return awaitUntil(seen -> seen.size() >= keys, timeout);
    }

    /** Reads everything committed at this moment (a positive barrier: nothing committed before now is missed). */
    public Map<String, List<V>> readToEnd() {
        reader.readToEnd((key, value) -> add(key, value));
        return seen();
    }

    /** Everything seen so far, by key, in the order read. */
    public Map<String, List<V>> seen() {
        return Collections.unmodifiableMap(byKey);
    }

    /** How many records have been seen. */
    public long records() {
        return records;
    }

    /** Reads what arrives within {@code timeout} (for callers that show progress between reads). */
    public void poll(Duration timeout) {
        reader.poll(timeout).forEach(record -> add(record.key(), record.value()));
    }

    private void add(String key, V value) {
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        records++;
    }

    @Override
    public void close() {
        reader.close();
    }
}
