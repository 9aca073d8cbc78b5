package dev.streamscribe.registry;

import dev.streamscribe.registry.SchemaRegistryException.IncompatibleSchemaException;
import dev.streamscribe.registry.SchemaRegistryException.SchemaNotFoundException;
import dev.streamscribe.registry.SchemaRegistryException.SchemaNotRegisteredException;
import dev.streamscribe.testing.SharedInfrastructure;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client against the real registry (Apicurio's Confluent API). */
class SchemaRegistryClientIT {
    private final SchemaRegistryClient client = SharedInfrastructure.registry().client();
    private final String subject = "client-it-" + UUID.randomUUID() + "-value";

    static Schema v1() {
        return SchemaBuilder.record("Reading").namespace("test.evolution").fields()
                .requiredString("id").endRecord();
    }

    static Schema v2WithDefault() {
        return SchemaBuilder.record("Reading").namespace("test.evolution").fields()
                .requiredString("id").name("unit").type().stringType().stringDefault("celsius").endRecord();
    }

    static Schema v2WithoutDefault() {
        return SchemaBuilder.record("Reading").namespace("test.evolution").fields()
                .requiredString("id").requiredInt("value").endRecord();
    }

    @Test
    void shouldRegisterIdempotentlyAndFetchTheSameSchemaById() {
        int id = client.register(subject, v1());
        assertEquals(id, client.register(subject, v1()));
        SchemaRegistryClient fresh = SharedInfrastructure.registry().client();
        assertEquals(v1(), fresh.schemaById(id));
        assertTrue(fresh.isCached(id));
    }

    @Test
    void shouldLookUpOnlySchemasRegisteredUnderTheSubject() {
        int id = client.register(subject, v1());
        assertEquals(id, client.lookup(subject, v1()).orElseThrow());
        assertTrue(client.lookup(subject, v2WithDefault()).isEmpty());
        assertTrue(client.lookup("no-such-subject-" + UUID.randomUUID(), v1()).isEmpty());
    }

    @Test
    void shouldReportCompatibilityUnderBackward() {
        client.register(subject, v1());
        assertTrue(client.isCompatible(subject, v2WithDefault()));
        assertFalse(client.isCompatible(subject, v2WithoutDefault()));
        assertTrue(client.isCompatible("new-subject-" + UUID.randomUUID(), v2WithoutDefault()));
    }

    @Test
    void shouldRefuseAnIncompatibleSchemaNamingTheSubject() {
        client.register(subject, v1());
        IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class,
                () -> client.register(subject, v2WithoutDefault()));
        assertTrue(e.getMessage().contains(subject), e.getMessage());
        assertEquals(409, e.httpStatus());
    }

    @Test
    void shouldRaiseSchemaNotFoundForAnUnknownId() {
        SchemaNotFoundException e = assertThrows(SchemaNotFoundException.class, () -> client.schemaById(987_654));
        assertEquals(40403, e.errorCode());
        assertTrue(e.getMessage().contains("987654"), e.getMessage());
    }

    @Test
    void shouldUseOnlyPreRegisteredSchemasWhenAutoRegisterIsOff() {
        SchemaRegistryClient preRegisteredOnly = new SchemaRegistryClient(client.config().withAutoRegister(false));
        SchemaNotRegisteredException e = assertThrows(SchemaNotRegisteredException.class,
                () -> preRegisteredOnly.idFor(subject, v1()));
        assertTrue(e.getMessage().contains(subject) && e.getMessage().contains("auto-registration is off"), e.getMessage());
        int id = client.register(subject, v1());
        assertEquals(id, preRegisteredOnly.idFor(subject, v1()));
    }
}
