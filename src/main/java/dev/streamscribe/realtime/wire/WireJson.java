package dev.streamscribe.realtime.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamscribe.realtime.event.ErrorInfo;
import dev.streamscribe.realtime.event.ProviderUsage;
import dev.streamscribe.realtime.event.RateLimit;
import dev.streamscribe.realtime.event.TokenLogprob;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reading helpers shared by the codecs: required fields fail with a {@link MalformedEventException} naming them. */
final class WireJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private WireJson() {
    }

    static JsonNode parse(String message) {
        JsonNode node;
        try {
            node = MAPPER.readTree(message);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("(unparseable)", "server sent a message that is not JSON: "
                    + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new MalformedEventException("(unparseable)", "server sent a message that is not a JSON object");
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual() || type.asText().isBlank()) {
            throw new MalformedEventException("(untyped)", "server sent an event without a 'type'");
        }
        return node;
    }

    static String type(JsonNode event) {
        return event.get("type").asText();
    }

    static String required(JsonNode node, String field, String wireType) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new MalformedEventException(wireType, wireType + " lacks the required string field '" + field + "'");
        }
        return value.asText();
    }

    static JsonNode requiredObject(JsonNode node, String field, String wireType) {
        JsonNode value = node.get(field);
        if (value == null || !value.isObject()) {
            throw new MalformedEventException(wireType, wireType + " lacks the required object '" + field + "'");
        }
        return value;
    }

    static Optional<String> optional(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    static ErrorInfo error(JsonNode error, String wireType) {
        if (error == null || !error.isObject()) {
            throw new MalformedEventException(wireType, wireType + " lacks the required object 'error'");
        }
        // the type is documented as required, but an error without one is still an error: "" rather than malformed
        String type = optional(error, "type").orElse("");
        return new ErrorInfo(type, optional(error, "code"), optional(error, "message").orElse(""),
                optional(error, "param"), optional(error, "event_id"));
    }

    /** Transcription usage ({type: tokens|duration}) or response usage (token counts, no type). */
    static Optional<ProviderUsage> usage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Optional.empty();
        }
        if ("duration".equals(usage.path("type").asText())) {
            return Optional.of(ProviderUsage.duration(usage.path("seconds").asDouble(0)));
        }
        JsonNode in = usage.path("input_token_details");
        JsonNode out = usage.path("output_token_details");
        return Optional.of(new ProviderUsage(ProviderUsage.Kind.TOKENS,
                usage.path("input_tokens").asLong(0), usage.path("output_tokens").asLong(0),
                usage.path("total_tokens").asLong(0), in.path("text_tokens").asLong(0),
                in.path("audio_tokens").asLong(0), in.path("cached_tokens").asLong(0),
                out.path("text_tokens").asLong(0), out.path("audio_tokens").asLong(0), 0));
    }

    static List<TokenLogprob> logprobs(JsonNode logprobs) {
        List<TokenLogprob> result = new ArrayList<>();
        if (logprobs != null && logprobs.isArray()) {
            for (JsonNode entry : logprobs) {
                List<Integer> bytes = new ArrayList<>();
                entry.path("bytes").forEach(b -> bytes.add(b.asInt()));
                result.add(new TokenLogprob(entry.path("token").asText(""), entry.path("logprob").asDouble(0), bytes));
            }
        }
        return result;
    }

    static List<RateLimit> rateLimits(JsonNode limits) {
        List<RateLimit> result = new ArrayList<>();
        if (limits != null && limits.isArray()) {
            for (JsonNode limit : limits) {
                result.add(new RateLimit(limit.path("name").asText(""), limit.path("limit").asLong(0),
                        limit.path("remaining").asLong(0), limit.path("reset_seconds").asDouble(0)));
            }
        }
        return result;
    }

    /** First detected language of a GA transcription ({@code languages: [{code}]}), if any. */
    static Optional<String> firstLanguage(JsonNode languages) {
        if (languages != null && languages.isArray() && !languages.isEmpty()) {
            return optional(languages.get(0), "code");
        }
        return Optional.empty();
    }
}
