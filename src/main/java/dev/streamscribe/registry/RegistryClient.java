package dev.streamscribe.registry;

import org.apache.avro.Schema;

/**
 * What the Confluent wire-format serdes need from a schema registry: the id of a writer schema, and the schema
 * behind an id. {@link SchemaRegistryClient} talks to a real Confluent-API registry; tests of the topology use an
 * in-memory one, so they need no registry process.
 *
 * <p>Threading: implementations are shared by every serde of a JVM and must be thread-safe.
 */
public interface RegistryClient {
    /**
     * The id under which {@code schema} is registered for {@code subject} (registered first when the client
     * auto-registers).
     *
     * @throws SchemaRegistryException.SchemaNotRegisteredException     the schema is not registered and may not be
     * @throws SchemaRegistryException.IncompatibleSchemaException      the schema breaks the subject's rule
     * @throws SchemaRegistryException.RegistryUnavailableException     an outage outlasted the client's budget
     */
    int idFor(String subject, Schema schema);

    /**
     * The writer schema registered with {@code id}.
     *
     * @throws SchemaRegistryException.SchemaNotFoundException      no schema has this id (40403): bad data
     * @throws SchemaRegistryException.RegistryUnavailableException an outage outlasted the client's budget
     */
    Schema schemaById(int id);
}
