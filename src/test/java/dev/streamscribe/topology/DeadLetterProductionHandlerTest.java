package dev.streamscribe.topology;

import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.registry.AvroSerdes;
import dev.streamscribe.registry.SchemaRegistryException.RegistryUnavailableException;
import dev.streamscribe.testing.InMemoryRegistryClient;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.SerializationExceptionOrigin;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An output that cannot be written costs that output, never a session's result: events become dead letters and
 * processing goes on; results, dead letters and state fail the thread so the transaction aborts with nothing lost.
 */
class DeadLetterProductionHandlerTest {
    private final Serde<DeadLetter> letters = AvroSerdes.valueSerde(new InMemoryRegistryClient(), DeadLetter.class);
    private final DeadLetterProductionHandler handler = new DeadLetterProductionHandler();

    private static final TestErrorContext PUNCTUATION = TestErrorContext.punctuation(TranscribeTopology.DRAIN);

    @BeforeEach
    void configure() {
        handler.configure(Map.of(DeadLetterProcessingHandler.TOPIC_CONFIG, "dlq",
                DeadLetterProcessingHandler.SERIALIZER_CONFIG, letters.serializer(),
                DeadLetterProductionHandler.RESULTS_TOPIC_CONFIG, "results"));
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, int bytes) {
        return new ProducerRecord<>(topic, "s1".getBytes(StandardCharsets.UTF_8), new byte[bytes]);
    }

    @Test
    void aTranscriptionTooLargeToWriteBecomesADeadLetterAndProcessingGoesOn() {
        var response = handler.handleError(PUNCTUATION, record("transcriptions", 9_000_000),
                new RecordTooLargeException("too large"));
        assertEquals(ProductionExceptionHandler.Result.RESUME, response.result());
        DeadLetter letter = letters.deserializer().deserialize("dlq", response.deadLetterQueueRecords().getFirst().value());
        assertEquals("PRODUCTION_FAILED", letter.getReasonCode());
        assertTrue(letter.getMessage().contains("transcriptions (9000000 bytes)")
                && letter.getMessage().contains("RecordTooLargeException"), letter.getMessage());
        assertEquals(DeadLetterProcessingHandler.MAX_VALUE_BYTES, letter.getOriginalValue().remaining());
        assertEquals("s1", letter.getSessionId());
        assertEquals(-1, letter.getSourceOffset(), "written by a punctuation: no input record to point to");
    }

    @Test
    void aSessionResultIsNeverDroppedTheTransactionAbortsInstead() {
        var response = handler.handleError(new TestErrorContext("configs", 0, 3, null, null, TranscribeTopology.ASSEMBLER), record("results", 100),
                new RecordTooLargeException("too large"));
        assertEquals(ProductionExceptionHandler.Result.FAIL, response.result());
    }

    @Test
    void stateAndDeadLettersAreNeverDroppedEither() {
        for (String topic : List.of("app-session-state-changelog", "dlq")) {
            assertEquals(ProductionExceptionHandler.Result.FAIL, handler.handleError(PUNCTUATION, record(topic, 10),
                    new RecordTooLargeException("too large")).result(), topic);
        }
    }

    @Test
    void aRetriableSendErrorIsRetried() {
        assertEquals(ProductionExceptionHandler.Result.RETRY, handler.handleError(PUNCTUATION, record("transcriptions", 10),
                new TimeoutException("broker slow")).result());
    }

    @Test
    void aRegistryOutageThatOutlastedTheSerializersWaitFailsRatherThanDroppingGoodRecords() {
        var response = handler.handleSerializationError(PUNCTUATION, new ProducerRecord<>("transcriptions", "s1", "event"),
                new SerializationException("cannot serialize", new RegistryUnavailableException("registry down", 503, -1, null)),
                SerializationExceptionOrigin.VALUE);
        assertEquals(ProductionExceptionHandler.Result.FAIL, response.result());
    }

    @Test
    void kafkaStreamsWritesTheDeadLetterForAnEventItCannotSerializeAndGoesOn() {
        Serializer<String> failsOnPoison = (topic, value) -> {
            if (value.equals("poison")) {
                throw new SerializationException("cannot serialize " + value);
            }
            return value.getBytes(StandardCharsets.UTF_8);
        };
        Topology topology = new Topology();
        topology.addSource("in", new StringDeserializer(), new StringDeserializer(), "configs");
        topology.addSink("out", "transcriptions", new StringSerializer(), failsOnPoison, "in");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "production-dlq-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class);
        props.put(DeadLetterProcessingHandler.TOPIC_CONFIG, "dlq");
        props.put(DeadLetterProcessingHandler.SERIALIZER_CONFIG, letters.serializer());
        props.put(DeadLetterProductionHandler.RESULTS_TOPIC_CONFIG, "results");
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
            var in = driver.createInputTopic("configs", new StringSerializer(), new StringSerializer());
            in.pipeInput("a", "poison");
            in.pipeInput("b", "fine");
            var dlq = driver.createOutputTopic("dlq", new ByteArrayDeserializer(), letters.deserializer());
            DeadLetter letter = dlq.readValue();
            assertEquals("SERIALIZATION_FAILED", letter.getReasonCode());
            assertEquals("configs", letter.getSourceTopic(), "the input record it came from");
            assertEquals(0, letter.getSourceOffset());
            var out = driver.createOutputTopic("transcriptions", new StringDeserializer(), new StringDeserializer());
            assertEquals("fine", out.readValue(), "the next record went through");
        }
    }
}
