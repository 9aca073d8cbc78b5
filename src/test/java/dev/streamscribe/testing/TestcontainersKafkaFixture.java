package dev.streamscribe.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/** A Kafka broker in a container (apache/kafka, same version as our clients), used where Docker answers. */
public final class TestcontainersKafkaFixture implements KafkaFixture {
    public static final String IMAGE = "apache/kafka:4.3.1";
    private final KafkaContainer container;

    public TestcontainersKafkaFixture() {
        container = new KafkaContainer(IMAGE)
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
        container.start();
    }

    /** Whether a Docker engine answers (the client alone is not enough). */
    public static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public String backend() {
        return "testcontainers";
    }

    @Override
    public void close() {
        container.stop();
    }
}
