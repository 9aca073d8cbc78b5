package dev.streamscribe.topology;

import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.registry.AvroSerdes;
import dev.streamscribe.testing.InMemoryRegistryClient;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A record a processor fails on becomes a bounded DeadLetter and processing goes on; a punctuation failure does not. */
class DeadLetterProcessingHandlerTest {
    private final Serde<DeadLetter> letters = AvroSerdes.valueSerde(new InMemoryRegistryClient(), DeadLetter.class);
    private final DeadLetterProcessingHandler handler = new DeadLetterProcessingHandler();

    @BeforeEach
    void configure() {
        handler.configure(Map.of(DeadLetterProcessingHandler.TOPIC_CONFIG, "dlq",
                DeadLetterProcessingHandler.SERIALIZER_CONFIG, letters.serializer(),
                DeadLetterProcessingHandler.AUDIO_TOPIC_CONFIG, "audio"));
    }

    private DeadLetter letterOf(ProcessingExceptionHandler.Response response) {
        assertEquals(ProcessingExceptionHandler.Result.RESUME, response.result(), "processing goes on");
        assertEquals(1, response.deadLetterQueueRecords().size());
        ProducerRecord<byte[], byte[]> record = response.deadLetterQueueRecords().getFirst();
        assertEquals("dlq", record.topic());
        return letters.deserializer().deserialize("dlq", record.value());
    }

    @Test
    void aFailedConfigIsDeadLetteredWithItsPlaceAndABoundedCopyOfItsBytes() {
        byte[] value = new byte[10_000];
        var response = handler.handleError(new TestErrorContext("configs", 2, 17, "s1".getBytes(StandardCharsets.UTF_8), value,
                TranscribeTopology.ASSEMBLER),
                new Record<>("s1", "x", 42), new IllegalArgumentException("bad"));
        DeadLetter letter = letterOf(response);
        assertEquals("PROCESSING_FAILED", letter.getReasonCode());
        assertEquals("configs", letter.getSourceTopic());
        assertEquals(2, letter.getSourcePartition());
        assertEquals(17, letter.getSourceOffset());
        assertEquals("s1", letter.getSessionId());
        assertEquals(DeadLetterProcessingHandler.MAX_VALUE_BYTES, letter.getOriginalValue().remaining());
        assertTrue(letter.getMessage().contains("IllegalArgumentException: bad")
                && letter.getMessage().contains("first 4096 of 10000 bytes"), letter.getMessage());
    }

    @Test
    void aFailedAudioChunkIsPointedToButItsAudioIsNeverCopied() {
        var response = handler.handleError(new TestErrorContext("audio", 0, 5, "s1".getBytes(StandardCharsets.UTF_8),
                new byte[48_000], TranscribeTopology.ASSEMBLER),
                new Record<>("s1", "x", 42), new IllegalStateException("boom"));
        DeadLetter letter = letterOf(response);
        assertNull(letter.getOriginalValue());
        assertEquals(5, letter.getSourceOffset());
    }

    @Test
    void aFailureOutsideAnyRecordFailsTheThreadInsteadOfDeadLetteringEveryTick() {
        var response = handler.handleError(TestErrorContext.punctuation(TranscribeTopology.ASSEMBLER), new Record<>("k", "v", 0),
                new IllegalStateException("punctuation"));
        assertEquals(ProcessingExceptionHandler.Result.FAIL, response.result());
    }

    @Test
    void kafkaStreamsWritesTheDeadLetterAndGoesOnWithTheNextRecord() {
        Topology topology = new Topology();
        topology.addSource("in", new StringDeserializer(), new StringDeserializer(), "configs");
        topology.addProcessor("fails-on-poison", () -> new Processor<String, String, String, String>() {
            private ProcessorContext<String, String> context;

            @Override
            public void init(ProcessorContext<String, String> context) {
                this.context = context;
            }

            @Override
            public void process(Record<String, String> record) {
                if (record.value().equals("poison")) {
                    throw new IllegalStateException("cannot process " + record.key());
                }
                context.forward(record);
            }
        }, "in");
        topology.addSink("out", "out", new StringSerializer(), new StringSerializer(), "fails-on-poison");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dlq-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class);
        props.put(DeadLetterProcessingHandler.TOPIC_CONFIG, "dlq");
        props.put(DeadLetterProcessingHandler.SERIALIZER_CONFIG, letters.serializer());
        props.put(DeadLetterProcessingHandler.AUDIO_TOPIC_CONFIG, "audio");
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
            var in = driver.createInputTopic("configs", new StringSerializer(), new StringSerializer());
            in.pipeInput("a", "poison");
            in.pipeInput("b", "fine");
            var dlq = driver.createOutputTopic("dlq", new ByteArrayDeserializer(), letters.deserializer());
            DeadLetter letter = dlq.readValue();
            assertEquals("PROCESSING_FAILED", letter.getReasonCode());
            assertEquals("a", letter.getSessionId());
            assertEquals("fine", driver.createOutputTopic("out", new StringDeserializer(), new StringDeserializer())
                    .readValue(), "the next record is processed");
        }
    }
}
