package dev.streamscribe.embedded;

import dev.streamscribe.testing.EmbeddedKafkaFixture;
import dev.streamscribe.testing.KafkaFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The backend contract on the in-JVM KRaft broker: the twin that runs where Docker does not. */
class EmbeddedKafkaBackendIT extends KafkaBackendContract {
    private static KafkaFixture kafka;

    @BeforeAll
    static void start() {
        kafka = new EmbeddedKafkaFixture();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Override
    protected KafkaFixture kafka() {
        return kafka;
    }
}
