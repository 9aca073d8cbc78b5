package dev.streamscribe.testing;

import dev.streamscribe.registry.RegistryClient;
import dev.streamscribe.registry.SchemaRegistryException.SchemaNotFoundException;
import org.apache.avro.Schema;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry in memory for TopologyTestDriver tests: every schema is registered on first use under the next id
 * (one id per distinct schema, as Confluent assigns them), an unknown id is 40403. No compatibility rules: the
 * wire serde's tests against Apicurio cover those.
 *
 * <p>Threading: thread-safe (concurrent maps, an atomic counter).
 */
public final class InMemoryRegistryClient implements RegistryClient {
    private final Map<String, Integer> idsBySchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);

    @Override
    public int idFor(String subject, Schema schema) {
        return idsBySchema.computeIfAbsent(schema.toString(), text -> {
            int id = nextId.getAndIncrement();
            schemasById.put(id, schema);
            return id;
        });
    }

    @Override
    public Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaNotFoundException("Schema " + id + " not found", 404, 40403);
        }
        return schema;
    }
}
