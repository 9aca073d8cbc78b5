package dev.streamscribe.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one instance says about itself on the instance-status topic, for {@code status}: its Kafka Streams state
 * and the conditions its {@code /health} lists (registry outage, rate-limit pause, ...), as of a time. JSON, so an
 * operator can read the topic with any console consumer, and so a later version can add fields freely.
 *
 * @param conditions one line each, as in {@code /health}
 */
public record InstanceStatus(String instance, String state, List<String> conditions, long updatedAtMs) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public InstanceStatus {
        conditions = List.copyOf(conditions);
    }

    public String toJson() {
        ObjectNode node = JSON.createObjectNode().put("instance", instance).put("state", state)
                .put("updatedAtMs", updatedAtMs);
        var lines = node.putArray("conditions");
        conditions.forEach(lines::add);
        return node.toString();
    }

    /** Parses a value written by any version; empty when it is not an instance status at all. */
    public static Optional<InstanceStatus> fromJson(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.hasNonNull("instance") || !node.hasNonNull("state")) {
                return Optional.empty();
            }
            List<String> conditions = new ArrayList<>();
            node.path("conditions").forEach(line -> conditions.add(line.asText()));
            return Optional.of(new InstanceStatus(node.get("instance").asText(), node.get("state").asText(), conditions,
                    node.path("updatedAtMs").asLong()));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
