package dev.streamscribe.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenAI's published JSON Schema bundles (copied into test resources), read the way src/test/resources/protocol/README.md
 * says: {@code oneOf} as {@code anyOf} (the published unions overlap) and null-valued keys dropped before
 * validating (the docs ask for nulls that the strict schemas reject).
 */
public final class ProtocolSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, JsonNode> BUNDLES = new ConcurrentHashMap<>();
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private ProtocolSchemas() {
    }

    /** Validation messages for {@code event} against {@code $defs/definition} of a bundle ("ga" or "beta", strict or lenient). */
    public static Set<ValidationMessage> validate(String bundle, boolean lenient, String definition, JsonNode event) {
        String key = bundle + (lenient ? ".lenient" : "") + "#" + definition;
        JsonSchema schema = SCHEMAS.computeIfAbsent(key, k -> {
            JsonNode root = BUNDLES.computeIfAbsent(bundle + lenient, b -> load(bundle, lenient));
            ObjectNode wrapper = JSON.createObjectNode();
            wrapper.put("$schema", "https://json-schema.org/draft/2020-12/schema");
            wrapper.set("$defs", root.get("$defs"));
            wrapper.put("$ref", "#/$defs/" + definition);
            if (!root.get("$defs").has(definition)) {
                throw new IllegalArgumentException("no $defs/" + definition + " in the " + bundle + " bundle");
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(wrapper);
        });
        // Strict (client) validation drops nulls, which the docs ask for but the strict schemas reject; lenient
        // (server) validation keeps them: the lenient bundle accepts null wherever the providers send it.
        return schema.validate(lenient ? event : withoutNulls(event));
    }

    /**
     * The {@code $defs} entry of a server event type in a bundle (e.g. {@code RealtimeServerEventResponseTextDelta}
     * for GA {@code response.output_text.delta}), found by the entry's {@code type} enum; empty when the bundle
     * defines no such event.
     */
    public static Optional<String> serverEventDefinition(String bundle, String type) {
        JsonNode root = BUNDLES.computeIfAbsent(bundle + true, b -> load(bundle, true));
        for (var it = root.get("$defs").fields(); it.hasNext(); ) {
            var entry = it.next();
            if (entry.getKey().startsWith("RealtimeServerEvent") || entry.getKey().startsWith("RealtimeBetaServerEvent")) {
                JsonNode values = entry.getValue().path("properties").path("type").path("enum");
                if (values.size() == 1 && values.get(0).asText().equals(type)) {
                    if (bundle.equals("ga") && entry.getKey().startsWith("RealtimeBeta")) {
                        continue; // the GA bundle also carries the legacy beta shapes
                    }
                    return Optional.of(entry.getKey());
                }
            }
        }
        return Optional.empty();
    }

    private static JsonNode load(String bundle, boolean lenient) {
        String path = "/protocol/" + bundle + "/realtime.bundle" + (lenient ? ".lenient" : "") + ".schema.json";
        try (InputStream in = ProtocolSchemas.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            JsonNode root = JSON.readTree(in);
            oneOfAsAnyOf(root);
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void oneOfAsAnyOf(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("oneOf") && !object.has("anyOf")) {
                object.set("anyOf", object.remove("oneOf"));
            }
            object.elements().forEachRemaining(ProtocolSchemas::oneOfAsAnyOf);
        } else if (node instanceof ArrayNode array) {
            array.elements().forEachRemaining(ProtocolSchemas::oneOfAsAnyOf);
        }
    }

    static JsonNode withoutNulls(JsonNode node) {
        JsonNode copy = node.deepCopy();
        strip(copy);
        return copy;
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getValue().isNull()) {
                    it.remove();
                } else {
                    strip(field.getValue());
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.elements().forEachRemaining(ProtocolSchemas::strip);
        }
    }
}
