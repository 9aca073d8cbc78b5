package dev.streamscribe.registry;

import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.registry.SchemaRegistryException.IncompatibleSchemaException;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.testing.KafkaFixture;
import dev.streamscribe.testing.SampleRecords;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.topology.Topic;
import dev.streamscribe.topology.Topics;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Avro records through the real broker and the real registry, using the pipeline's typed topics. */
class AvroKafkaRoundTripIT {
    private final KafkaFixture kafka = SharedInfrastructure.kafka();
    private final SchemaRegistryClient registry = SharedInfrastructure.registry().client();

    private Topics topics(String prefix) {
        PipelineConfig config = ConfigLoader.fromMap(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", SharedInfrastructure.registry().url(),
                "realtime.url", "ws://127.0.0.1:1/v1/realtime",
                "topic.prefix", prefix), Map.of());
        return Topics.create(config.topics(), registry);
    }

    @Test
    void shouldRoundTripEveryTopicsRecordTypeThroughBrokerAndRegistry() {
        Topics topics = topics("rt-" + UUID.randomUUID() + ".");
        kafka.createTopics(topics.all().stream().map(Topic::name).toArray(String[]::new));
        assertEquals(List.of(SampleRecords.sessionConfig("a")), roundTrip(topics.sessionConfigs(), "a", SampleRecords.sessionConfig("a")));
        assertEquals(List.of(SampleRecords.audioChunk("a", 0)), roundTrip(topics.audioChunks(), "a", SampleRecords.audioChunk("a", 0)));
        assertEquals(List.of(SampleRecords.transcriptionEvent("a")), roundTrip(topics.transcriptions(), "a", SampleRecords.transcriptionEvent("a")));
        assertEquals(List.of(SampleRecords.responseEvent("a")), roundTrip(topics.responses(), "a", SampleRecords.responseEvent("a")));
        assertEquals(List.of(SampleRecords.sessionResult("a")), roundTrip(topics.sessionResults(), "a", SampleRecords.sessionResult("a")));
        assertEquals(List.of(SampleRecords.deadLetter("a")), roundTrip(topics.deadLetters(), "a".getBytes(), SampleRecords.deadLetter("a")));
    }

    @Test
    void shouldLetAConsumerWithAnEvolvedSchemaReadRecordsWrittenBeforeTheChange() {
        String topic = "evolve-" + UUID.randomUUID();
        kafka.createTopics(topic);
        Schema v1 = SchemaRegistryClientIT.v1();
        GenericRecord old = new GenericData.Record(v1);
        old.put("id", "sensor-7");
        produce(topic, new StringSerializer(), new ConfluentAvroSerializer<>(registry, false), "k", old);
        // the writer side evolves too: v2 registers under BACKWARD and new records carry it
        Schema v2 = SchemaRegistryClientIT.v2WithDefault();
        GenericRecord current = new GenericData.Record(v2);
        current.put("id", "sensor-8");
        current.put("unit", "kelvin");
        produce(topic, new StringSerializer(), new ConfluentAvroSerializer<>(registry, false), "k", current);

        List<GenericRecord> read = consume(topic, ConfluentAvroDeserializer.forGeneric(SharedInfrastructure.registry().client(), v2), 2);
        assertEquals("celsius", read.get(0).get("unit").toString());
        assertEquals("kelvin", read.get(1).get("unit").toString());
    }

    @Test
    void shouldRefuseToProduceWithAnIncompatibleSchemaAndSaySo() {
        String topic = "incompatible-" + UUID.randomUUID();
        kafka.createTopics(topic);
        GenericRecord old = new GenericData.Record(SchemaRegistryClientIT.v1());
        old.put("id", "x");
        produce(topic, new StringSerializer(), new ConfluentAvroSerializer<>(registry, false), "k", old);
        Schema breaking = SchemaBuilder.record("Reading").namespace("test.evolution").fields()
                .requiredString("id").requiredInt("value").endRecord();
        GenericRecord bad = new GenericData.Record(breaking);
        bad.put("id", "y");
        bad.put("value", 1);
        ConfluentAvroSerializer<GenericRecord> serializer = new ConfluentAvroSerializer<>(registry, false);
        IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class,
                () -> serializer.serialize(topic, bad));
        assertTrue(e.getMessage().contains(topic + "-value"), e.getMessage());
    }

    private <K, V> List<V> roundTrip(Topic<K, V> topic, K key, V value) {
        produce(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer(), key, value);
        return consume(topic.name(), topic.valueSerde().deserializer(), 1);
    }

    private <K, V> void produce(String topic, Serializer<K> keys, Serializer<V> values, K key, V value) {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<K, V> producer = new KafkaProducer<>(props, keys, values)) {
            producer.send(new ProducerRecord<>(topic, key, value));
            producer.flush();
        }
    }

    /** Everything committed on {@code topic} now (the producer flushed before this is called). */
    private <V> List<V> consume(String topic, Deserializer<V> values, int expected) {
        List<V> read;
        try (var watcher = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                topic, values)) {
            read = watcher.readToEnd().values().stream().flatMap(List::stream).toList();
        }
        assertEquals(expected, read.size(), "records read back from " + topic);
        return read;
    }
}
