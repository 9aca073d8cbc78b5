package dev.streamscribe.topology;

import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.KafkaFixture;
import dev.streamscribe.testing.SharedInfrastructure;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The dispatcher's commit signal on a real stream thread (exactly-once, as the pipeline runs): the thread exposes its
 * commit count under the name {@link CommitWatch} looks for, and a change made in {@code process} is followed by a
 * commit within the interval, with nothing asking for one. Were the metric renamed in a Kafka upgrade, the
 * dispatcher would quietly fall back to requesting a commit per admission: this test is what notices.
 */
class CommitWatchIT {
    private final KafkaFixture kafka = SharedInfrastructure.kafka();

    /** Notes the watch's position when a record comes, and reports when the thread has committed since. */
    private static final class Watching implements Processor<String, String, Void, Void> {
        private final AtomicReference<CommitWatch> watch;
        private final AtomicReference<String> committed;
        private CommitWatch commits;
        private String pending;
        private long position;

        private Watching(AtomicReference<CommitWatch> watch, AtomicReference<String> committed) {
            this.watch = watch;
            this.committed = committed;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            commits = CommitWatch.of(context, 100);
            watch.set(commits);
            context.schedule(Duration.ofMillis(20), PunctuationType.WALL_CLOCK_TIME, now -> {
                if (pending != null && commits.committedSince(position, now)) {
                    committed.set(pending);
                    pending = null;
                }
            });
        }

        @Override
        public void process(Record<String, String> record) {
            pending = record.value();
            position = commits.position(record.timestamp());
        }
    }

    @Test
    void aRealStreamThreadCountsItsCommitsAndCommitsAChangeWithoutBeingAsked(@TempDir Path state) throws Exception {
        String topic = "commit-watch-" + UUID.randomUUID();
        kafka.createTopics(topic);
        Topology topology = new Topology();
        AtomicReference<CommitWatch> watch = new AtomicReference<>();
        AtomicReference<String> committed = new AtomicReference<>();
        topology.addSource("in", Serdes.String().deserializer(), Serdes.String().deserializer(), topic);
        topology.addProcessor("watching", () -> new Watching(watch, committed), "in");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, topic);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        try (KafkaStreams streams = new KafkaStreams(topology, props)) {
            streams.start();
            try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(topic, "k", "first")).get(30, TimeUnit.SECONDS);
            }
            Await.until(() -> "first".equals(committed.get()), Duration.ofSeconds(60),
                    "a commit after the record was processed");
            assertInstanceOf(CommitWatch.ThreadCommits.class, watch.get(),
                    "the stream thread's commit-total is found by its thread-id tag");
        }
    }
}
