package dev.streamscribe.testing;

import dev.streamscribe.topology.PipelineTopics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real Kafka broker for integration tests, with two backends: a Testcontainers broker where a Docker engine
 * answers, the in-JVM KRaft broker otherwise (always, on machines without Docker). Never a mock.
 */
public interface KafkaFixture extends AutoCloseable {
    String bootstrapServers();

    /** "embedded" or "testcontainers", for test names and logs. */
    String backend();

    @Override
    void close();

    /** Creates topics (1 partition unless given) and waits until they exist. */
    default void createTopics(String... names) {
        createTopics(1, Arrays.asList(names));
    }

    default void createTopics(int partitions, List<String> names) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(names.stream().map(n -> new NewTopic(n, partitions, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
            // producing before every partition has a leader earns NOT_LEADER_OR_FOLLOWER (see StreamscribePipeline)
            PipelineTopics.awaitLeaders(admin, names);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topics " + names + ": " + e.getMessage(), e);
        }
    }
}
