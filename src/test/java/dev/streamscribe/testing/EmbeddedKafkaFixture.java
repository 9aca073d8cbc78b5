package dev.streamscribe.testing;

import dev.streamscribe.embedded.EmbeddedKafkaBroker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The in-JVM KRaft broker as a {@link KafkaFixture}. */
public final class EmbeddedKafkaFixture implements KafkaFixture {
    private final EmbeddedKafkaBroker broker;

    public EmbeddedKafkaFixture() {
        try {
            Path dir = Files.createTempDirectory("streamscribe-kafka-");
            this.broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.at(dir));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    @Override
    public String backend() {
        return "embedded";
    }

    @Override
    public void close() {
        broker.close();
    }
}
