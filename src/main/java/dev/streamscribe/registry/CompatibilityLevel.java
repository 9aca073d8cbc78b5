package dev.streamscribe.registry;

/** Compatibility rules of the Confluent API. streamscribe's topics evolve BACKWARD. */
public enum CompatibilityLevel {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE
}
