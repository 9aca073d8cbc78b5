package dev.streamscribe.embedded;

import dev.streamscribe.testing.KafkaFixture;
import dev.streamscribe.testing.TestcontainersKafkaFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The backend contract on a containerized broker. Skipped (and reported as skipped) without a Docker engine;
 * its twin {@link EmbeddedKafkaBackendIT} runs the same contract everywhere.
 */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersKafkaBackendIT extends KafkaBackendContract {
    private static KafkaFixture kafka;

    @BeforeAll
    static void start() {
        kafka = new TestcontainersKafkaFixture();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Override
    protected KafkaFixture kafka() {
        return kafka;
    }
}
