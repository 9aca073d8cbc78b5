package dev.streamscribe.topology;

import org.apache.kafka.common.serialization.Serde;

import java.util.Objects;

/** A topic declared once, with the serdes of its keys and values, so no caller can pair it with the wrong ones. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
    }
}
