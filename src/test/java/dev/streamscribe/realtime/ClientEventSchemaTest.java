package dev.streamscribe.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.ValidationMessage;
import dev.streamscribe.avro.AudioFormat;
import dev.streamscribe.avro.NoiseReduction;
import dev.streamscribe.avro.OutputModality;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.driver.ContextTurn;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.testing.ListAudioPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every client event the driver sends validates against OpenAI's strict bundle for its dialect (Inworld speaks
 * the GA shape), and each dialect sends only its own field names (the schemas allow unknown properties, so a
 * stray beta field in a GA event would otherwise pass silently).
 */
class ClientEventSchemaTest {
    private static final Map<String, String> DEFINITIONS = Map.of(
            "session.update", "RealtimeClientEventSessionUpdate",
            "input_audio_buffer.append", "RealtimeClientEventInputAudioBufferAppend",
            "input_audio_buffer.commit", "RealtimeClientEventInputAudioBufferCommit",
            "input_audio_buffer.clear", "RealtimeClientEventInputAudioBufferClear",
            "response.create", "RealtimeClientEventResponseCreate",
            "conversation.item.create", "RealtimeClientEventConversationItemCreate");
    /** Field names that exist only in the beta shape (inside session and response). */
    private static final Set<String> BETA_ONLY = Set.of("modalities", "input_audio_format", "output_audio_format",
            "input_audio_transcription", "input_audio_noise_reduction", "max_response_output_tokens", "temperature");
    /** Field names that exist only in the GA shape (inside session and response). */
    private static final Set<String> GA_ONLY = Set.of("output_modalities", "audio", "max_output_tokens", "include",
            "noise_reduction");

    private static List<JsonNode> eventsSentIn(Dialect dialect, SessionConfig config, long... turns) {
        List<JsonNode> events = new ArrayList<>();
        try (DriverHarness h = new DriverHarness(dialect, s -> { })) {
            SessionConfig effective = config == null ? h.responseConfig() : config;
            assertInstanceOf(SessionOutcome.Completed.class, h.run(DriverHarness.request(effective, turns),
                    new ListAudioPublisher(DriverHarness.pieces(24_000, turns))));
            h.peer.connections().forEach(c -> events.addAll(c.received));
        }
        return events;
    }

    private static SessionConfig variant(Dialect dialect, AudioFormat format, NoiseReduction noise, boolean logprobs,
                                         OutputModality modality) {
        try (DriverHarness h = new DriverHarness(dialect, s -> { })) {
            SessionConfig config = h.responseConfig();
            config.setAudioFormat(format);
            config.setNoiseReduction(noise);
            config.getTranscription().setIncludeLogprobs(logprobs);
            config.getTranscription().setPrompt("Kafka, Avro");
            config.getResponse().setOutputModality(modality);
            config.getResponse().setMetadata(Map.of("job", "schema-test"));
            return config;
        }
    }

    private static void assertValid(Dialect dialect, List<JsonNode> events) {
        String bundle = dialect == Dialect.OPENAI_BETA ? "beta" : "ga";
        Set<String> typesSeen = new TreeSet<>();
        for (JsonNode event : events) {
            String type = event.path("type").asText();
            typesSeen.add(type);
            String definition = DEFINITIONS.get(type);
            assertTrue(definition != null, "the driver sent an event type we do not validate: " + type);
            Set<ValidationMessage> problems = ProtocolSchemas.validate(bundle, false, definition, event);
            assertTrue(problems.isEmpty(), dialect.id() + " " + type + " fails the strict " + bundle + " schema: "
                    + problems + "\n" + abbreviated(event));
            Set<String> fields = new TreeSet<>();
            fields.addAll(fieldNames(event.path("session")));
            fields.addAll(fieldNames(event.path("response")));
            Set<String> foreign = new TreeSet<>(fields);
            foreign.retainAll(dialect == Dialect.OPENAI_BETA ? GA_ONLY : BETA_ONLY);
            if (dialect == Dialect.OPENAI_BETA && type.equals("session.update")) {
                assertFalse(event.path("session").has("type"), "beta rejects session.type");
            }
            assertTrue(foreign.isEmpty(), dialect.id() + " " + type + " carries another dialect's fields " + foreign);
        }
        assertTrue(typesSeen.containsAll(Set.of("session.update", "input_audio_buffer.append",
                "input_audio_buffer.commit", "response.create")), "covered " + typesSeen);
    }

    private static String abbreviated(JsonNode event) {
        String text = event.toString();
        return text.length() > 600 ? text.substring(0, 600) + "..." : text;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                // response metadata keys are the caller's, not protocol fields
                if (!field.getKey().equals("metadata")) {
                    names.add(field.getKey());
                    names.addAll(fieldNames(field.getValue()));
                }
            });
        } else if (node.isArray()) {
            node.forEach(element -> names.addAll(fieldNames(element)));
        }
        return names;
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldSendOnlySchemaValidEventsForTranscriptionAndResponses(Dialect dialect) {
        assertValid(dialect, eventsSentIn(dialect, null, 600, 700));
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldSendSchemaValidConversationItemsWhenResumingAConversation(Dialect dialect) {
        List<JsonNode> events = new ArrayList<>();
        try (DriverHarness h = new DriverHarness(dialect, s -> { })) {
            SessionConfig config = h.responseConfig();
            SessionRequest request = new SessionRequest("s-1", "r-1", 1, config,
                    DriverHarness.request(config, 600, 700).turns(),
                    List.of(new ContextTurn(0, Optional.of("hello there"), Optional.of("hi"))));
            assertInstanceOf(SessionOutcome.Completed.class, h.run(request,
                    new ListAudioPublisher(DriverHarness.pieces(24_000, 600, 700))));
            h.peer.connections().forEach(c -> events.addAll(c.received));
        }
        assertValid(dialect, events);
        List<JsonNode> items = events.stream().filter(e -> e.path("type").asText().equals("conversation.item.create"))
                .toList();
        assertEquals(2, items.size(), "turn 0's user and assistant messages");
        assertEquals("input_text", items.get(0).at("/item/content/0/type").asText());
        assertEquals(dialect == Dialect.OPENAI_BETA ? "text" : "output_text",
                items.get(1).at("/item/content/0/type").asText(), "the assistant's text type of the dialect");
        for (JsonNode item : items) {
            assertFalse(item.has("previous_item_id"), "never an item id of an earlier connection");
            assertFalse(item.path("item").has("id"));
        }
        // the strict schema refuses what the published API refuses, so the validation above is real
        ObjectNode wrong = items.get(1).deepCopy();
        ((ObjectNode) wrong.at("/item/content/0")).put("type", "input_audio_file");
        assertFalse(ProtocolSchemas.validate(dialect == Dialect.OPENAI_BETA ? "beta" : "ga", false,
                "RealtimeClientEventConversationItemCreate", wrong).isEmpty());
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldSendSchemaValidEventsForEveryOptionWeMap(Dialect dialect) {
        assertValid(dialect, eventsSentIn(dialect, variant(dialect, AudioFormat.PCM16_24KHZ, NoiseReduction.NEAR_FIELD,
                true, OutputModality.AUDIO), 500));
        assertValid(dialect, eventsSentIn(dialect, variant(dialect, AudioFormat.PCM16_24KHZ, NoiseReduction.FAR_FIELD,
                false, OutputModality.TEXT), 500));
    }

    @Test
    void shouldSendSchemaValidGaTranscriptionSessionUpdates() {
        try (DriverHarness h = new DriverHarness(Dialect.OPENAI_GA, s -> { })) {
            SessionConfig config = h.transcriptionConfig();
            config.getTranscription().setIncludeLogprobs(true);
            assertInstanceOf(SessionOutcome.Completed.class, h.run(DriverHarness.request(config, 500),
                    new ListAudioPublisher(DriverHarness.pieces(24_000, 500))));
            JsonNode update = h.peer.connections().getFirst().received.getFirst();
            assertEquals("transcription", update.path("session").path("type").asText());
            assertTrue(ProtocolSchemas.validate("ga", false, "RealtimeClientEventSessionUpdate", update).isEmpty());
        }
    }

    @Test
    void shouldRejectAGaSessionUpdateWithoutSessionTypeSoTheValidationIsReal() {
        try (DriverHarness h = new DriverHarness(Dialect.OPENAI_GA, s -> { })) {
            assertInstanceOf(SessionOutcome.Completed.class, h.run(DriverHarness.request(h.responseConfig(), 500),
                    new ListAudioPublisher(DriverHarness.pieces(24_000, 500))));
            ObjectNode update = (ObjectNode) h.peer.connections().getFirst().received.getFirst().deepCopy();
            ((ObjectNode) update.get("session")).remove("type");
            assertFalse(ProtocolSchemas.validate("ga", false, "RealtimeClientEventSessionUpdate", update).isEmpty());
            ((ObjectNode) update.get("session")).put("type", "realtime");
            ((ObjectNode) update.path("session").path("audio").path("input")).put("format", "pcm16");
            assertFalse(ProtocolSchemas.validate("ga", false, "RealtimeClientEventSessionUpdate", update).isEmpty(),
                    "a beta string format in a GA update is refused");
        }
    }
}
