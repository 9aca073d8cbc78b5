package dev.streamscribe.registry;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Kafka serdes for generated Avro classes in the Confluent wire format. */
public final class AvroSerdes {
    private AvroSerdes() {
    }

    /** A value serde for {@code type}, registering or looking up schemas in {@code registry}. */
    public static <T extends SpecificRecord> Serde<T> valueSerde(RegistryClient registry, Class<T> type) {
        return Serdes.serdeFrom(new ConfluentAvroSerializer<>(registry, false),
                ConfluentAvroDeserializer.forSpecific(registry, type));
    }
}
