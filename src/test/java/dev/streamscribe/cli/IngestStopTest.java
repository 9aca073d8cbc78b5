package dev.streamscribe.cli;

import dev.streamscribe.audio.AudioFileDecoder.RawFormat;
import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.client.ProducerSettings;
import dev.streamscribe.client.SessionPublisher;
import dev.streamscribe.client.SessionSpec;
import dev.streamscribe.client.SessionStream;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.testing.InMemoryRegistryClient;
import dev.streamscribe.topology.Topics;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What ingest's shutdown hook does when Ctrl-C or SIGTERM stops it half-way (on Kafka's MockProducer). */
class IngestStopTest {
    private final Topics topics = Topics.create(ProducerSettings.load(Map.of("bootstrap.servers", "127.0.0.1:1",
            "schema.registry.url", "http://127.0.0.1:1"), Map.of()).topics(), new InMemoryRegistryClient());
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final SessionPublisher publisher = SessionPublisher.over(producer, topics, Dialect.OPENAI_GA,
            Clock.systemUTC());

    @Test
    void aStoppedIngestAbortsTheFilesItWasPublishingAndSaysSo() {
        SessionStream publishing = publisher.open(SessionSpec.builder("s-half").chunkBytes(4_800).build());
        publishing.append(new byte[9_600], RawFormat.pcm16Mono24k());
        StringWriter err = new StringWriter();
        assertEquals(1, IngestCommand.abortOpenSessions(publisher, new PrintWriter(err)));
        assertEquals(SessionStream.State.ABORTED, publishing.state());
        AudioChunk marker = topics.audioChunks().valueSerde().deserializer()
                .deserialize("", producer.history().getLast().value());
        assertEquals("closed before end()", marker.getAbort());
        assertTrue(err.toString().contains("1 session(s) being published aborted"), err.toString());
    }

    @Test
    void aStoppedIngestWithNothingInFlightSaysNothing() {
        StringWriter err = new StringWriter();
        assertEquals(0, IngestCommand.abortOpenSessions(publisher, new PrintWriter(err)));
        assertTrue(err.toString().isEmpty());
        assertTrue(producer.history().isEmpty());
    }
}
