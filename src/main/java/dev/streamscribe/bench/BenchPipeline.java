package dev.streamscribe.bench;

import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.topology.Topics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

    /**
     * The value of one of its Prometheus series now, e.g. {@code streamscribe_sessions_in_flight} or
     * {@code streamscribe_live_sessions{state="connected"}}, read from its {@code /metrics} on the operations port it
     * wrote to its ready file.
     */
    double metric(String series) throws IOException, InterruptedException {
        return scrape().lines().filter(line -> line.startsWith(series + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new IllegalStateException(id + " has no metric " + series));
    }

    /**
     * The sum of every series of a Prometheus metric, whatever its tags (e.g. {@code kafka_stream_thread_commit_total},
     * one series per stream thread).
     */
    double metricSum(String metric) throws IOException, InterruptedException {
        return scrape().lines().filter(line -> line.startsWith(metric + " ") || line.startsWith(metric + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim())).sum();
    }

    /** Its /metrics, from the operations port it wrote to its ready file. */
    private String scrape() throws IOException, InterruptedException {
        URI metrics = URI.create("http://127.0.0.1:" + jvm.ready("operations.port") + "/metrics");
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(metrics).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    @Override
    public void close() {
        jvm.close();
    }
}
