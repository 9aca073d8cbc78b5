package dev.streamscribe.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operations endpoint listens where {@code operations.host} says (0.0.0.0 in a container) and serves the JVM's
 * and the process's meters beside the pipeline's.
 */
class OperationsEndpointTest {
    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listensOnEveryInterfaceWhenTheHostIsTheWildcardAndServesJvmMeters() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics metrics = new PipelineMetrics(prometheus);
        metrics.bindJvm();
        try (OperationsEndpoint endpoint = OperationsEndpoint.start("0.0.0.0", 0, prometheus,
                () -> KafkaStreams.State.RUNNING, List::of)) {
            HttpResponse<String> scrape = get(endpoint.port(), "/metrics");
            assertEquals(200, scrape.statusCode());
            for (String meter : List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_cpu_usage",
                    "process_uptime_seconds")) {
                assertTrue(scrape.body().contains(meter), meter + " is scraped");
            }
            assertEquals(200, get(endpoint.port(), "/ready").statusCode());
        } finally {
            metrics.closeJvm();
        }
    }

    @Test
    void refusesAnAddressThisMachineDoesNotHaveWithAMessageNamingIt() {
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> OperationsEndpoint.start(
                "192.0.2.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> KafkaStreams.State.RUNNING,
                List::of));
        assertTrue(refused.getMessage().contains("192.0.2.1") && refused.getMessage().contains("operations.host"),
                refused.getMessage());
    }
}
