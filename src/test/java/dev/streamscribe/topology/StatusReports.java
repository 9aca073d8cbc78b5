package dev.streamscribe.topology;

import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.results.TopicWatcher;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What integration tests read from the instance-status topic, as {@code status} does. */
final class StatusReports {
    private StatusReports() {
    }

    /** Waits until some instance of {@code config}'s application reports a condition containing {@code text}. */
    static void awaitCondition(String bootstrap, PipelineConfig config, String text) {
        try (var reports = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", bootstrap),
                PipelineTopics.instanceStatusTopic(config), new StringDeserializer())) {
            Predicate<Map<String, List<String>>> reported = seen -> seen.values().stream().anyMatch(
                    values -> values.getLast() != null && values.getLast().contains(text));
            assertTrue(reported.test(reports.awaitUntil(reported, Duration.ofSeconds(30))),
                    "an instance reports '" + text + "' on its status topic, for `status`");
        }
    }
}
