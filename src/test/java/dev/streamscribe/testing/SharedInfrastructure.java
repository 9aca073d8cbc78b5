package dev.streamscribe.testing;

import dev.streamscribe.embedded.ApicurioRegistry;

/**
 * One broker and one registry for the whole test suite (starting them per class would cost minutes). The broker
 * backend is Testcontainers when a Docker engine answers, the in-JVM KRaft broker otherwise; the registry is
 * always the real Apicurio process. Both stop when the test JVM exits.
 */
public final class SharedInfrastructure {
    private static KafkaFixture kafka;

    private SharedInfrastructure() {
    }

    public static synchronized KafkaFixture kafka() {
        if (kafka == null) {
            KafkaFixture fixture = TestcontainersKafkaFixture.dockerAvailable()
                    ? new TestcontainersKafkaFixture()
                    : new EmbeddedKafkaFixture();
            Runtime.getRuntime().addShutdownHook(new Thread(fixture::close, "shared-kafka-stop"));
            kafka = fixture;
        }
        return kafka;
    }

    public static ApicurioRegistry registry() {
        return ApicurioRegistry.shared();
    }
}
