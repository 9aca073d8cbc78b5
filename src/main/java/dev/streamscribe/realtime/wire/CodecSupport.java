package dev.streamscribe.realtime.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamscribe.avro.ResponseRequest;
import dev.streamscribe.realtime.event.ClientEvent;
import dev.streamscribe.realtime.event.ServerEvent;
import dev.streamscribe.realtime.event.SessionSettings;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * What the dialects share: the decoding of events whose shape is the same in GA and beta, and the collection of
 * output text from {@code response.done}. Subclasses name their own event types and write their own fields.
 */
abstract class CodecSupport implements DialectCodec {
    /** Wire type of text deltas in this dialect. */
    abstract String textDeltaType();

    /** Wire type of audio-transcript deltas in this dialect. */
    abstract String audioTranscriptDeltaType();

    /** Known events this dialect defines that the pipeline does not act on. */
    abstract Set<String> ignoredTypes();

    /** This dialect's full {@code session.update}. */
    abstract String sessionUpdate(SessionSettings settings, String eventId);

    /** The wire type announcing a new conversation item: our {@code conversation.item.create}'s acknowledgement. */
    abstract String itemAddedType();

    /** The content type of assistant text in this dialect ({@code output_text}; beta {@code text}). */
    abstract String assistantTextType();

    /** {@code conversation.item.create} of a message with one text part; no ids (see {@link ClientEvent.CreateItem}). */
    private String itemCreate(ClientEvent.CreateItem create, String eventId) {
        ObjectNode event = envelope("conversation.item.create", eventId);
        ObjectNode item = event.putObject("item");
        boolean user = create.role() == ClientEvent.CreateItem.Role.USER;
        item.put("type", "message").put("role", user ? "user" : "assistant");
        item.putArray("content").addObject().put("type", user ? "input_text" : assistantTextType())
                .put("text", create.text());
        return event.toString();
    }

    /** This dialect's {@code response.create}. */
    abstract String responseCreate(ResponseRequest request, int turnIndex, String eventId);

    @Override
    public byte[] encode(ClientEvent event, String eventId) {
        if (event instanceof ClientEvent.AppendAudio append) {
            return AudioAppendJson.encode(append.audio(), eventId);
        }
        return json(event, eventId).getBytes(StandardCharsets.UTF_8);
    }

    private String json(ClientEvent event, String eventId) {
        return switch (event) {
            case ClientEvent.AppendAudio append -> throw new IllegalArgumentException("appends are encoded as bytes");
            case ClientEvent.CommitAudio commit -> envelope("input_audio_buffer.commit", eventId).toString();
            case ClientEvent.ClearAudio clear -> envelope("input_audio_buffer.clear", eventId).toString();
            case ClientEvent.SessionUpdate update -> sessionUpdate(update.settings(), eventId);
            case ClientEvent.CreateResponse create -> responseCreate(create.request(), create.turnIndex(), eventId);
            case ClientEvent.CreateItem create -> itemCreate(create, eventId);
        };
    }

    @Override
    public ServerEvent decode(String message) {
        JsonNode event = WireJson.parse(message);
        String type = WireJson.type(event);
        return switch (type) {
            case "session.created" -> {
                JsonNode session = event.path("session");
                yield new ServerEvent.SessionCreated(type, WireJson.optional(session, "id"),
                        session.path("expires_at").canConvertToLong()
                                ? Optional.of(session.path("expires_at").asLong()) : Optional.empty());
            }
            case "session.updated" -> {
                JsonNode session = event.path("session");
                JsonNode detection = session.path("audio").path("input").get("turn_detection"); // GA
                if (detection == null) {
                    detection = session.get("turn_detection"); // beta
                }
                yield new ServerEvent.SessionUpdated(type, WireJson.optional(session, "id"),
                        detection != null && detection.isObject());
            }
            case "input_audio_buffer.speech_started" -> new ServerEvent.SpeechStarted(type);
            case "input_audio_buffer.committed" -> new ServerEvent.AudioCommitted(type,
                    WireJson.required(event, "item_id", type), WireJson.optional(event, "previous_item_id"));
            case "input_audio_buffer.cleared" -> new ServerEvent.AudioCleared(type);
            case "conversation.item.added", "conversation.item.created" -> type.equals(itemAddedType())
                    ? itemAdded(event, type) : ignoredOrUnknown(type);
            case "conversation.item.input_audio_transcription.delta" -> new ServerEvent.TranscriptionDelta(type,
                    WireJson.optional(event, "item_id").orElse(""), WireJson.optional(event, "delta").orElse(""));
            case "conversation.item.input_audio_transcription.completed" -> new ServerEvent.TranscriptionCompleted(type,
                    WireJson.required(event, "item_id", type), WireJson.required(event, "transcript", type),
                    WireJson.usage(event.get("usage")), WireJson.logprobs(event.get("logprobs")),
                    WireJson.firstLanguage(event.get("languages")));
            case "conversation.item.input_audio_transcription.failed" -> new ServerEvent.TranscriptionFailed(type,
                    WireJson.required(event, "item_id", type), WireJson.error(event.get("error"), type));
            case "response.created" -> new ServerEvent.ResponseCreated(type,
                    WireJson.required(WireJson.requiredObject(event, "response", type), "id", type));
            case "response.done" -> responseDone(event, type);
            case "rate_limits.updated" -> new ServerEvent.RateLimitsUpdated(type, WireJson.rateLimits(event.get("rate_limits")));
            case "error" -> new ServerEvent.Error(type, WireJson.error(event.get("error"), type));
            default -> {
                if (type.equals(textDeltaType())) {
                    // response_id may be missing: the delta then belongs to the one active response
                    yield new ServerEvent.ResponseTextDelta(type, WireJson.optional(event, "response_id").orElse(""),
                            WireJson.optional(event, "delta").orElse(""));
                }
                if (type.equals(audioTranscriptDeltaType())) {
                    yield new ServerEvent.ResponseAudioTranscriptDelta(type,
                            WireJson.optional(event, "response_id").orElse(""), WireJson.optional(event, "delta").orElse(""));
                }
                yield ignoredOrUnknown(type);
            }
        };
    }

    private ServerEvent ignoredOrUnknown(String type) {
        return ignoredTypes().contains(type) ? new ServerEvent.Ignored(type) : new ServerEvent.Unknown(type);
    }

    private static ServerEvent.ItemAdded itemAdded(JsonNode event, String type) {
        JsonNode item = WireJson.requiredObject(event, "item", type);
        boolean textual = false;
        for (JsonNode part : item.path("content")) {
            String partType = part.path("type").asText("");
            textual |= partType.equals("input_text") || partType.equals("output_text") || partType.equals("text");
        }
        return new ServerEvent.ItemAdded(type, WireJson.optional(item, "id").orElse(""),
                WireJson.optional(item, "role").orElse(""), textual);
    }

    private static ServerEvent.ResponseDone responseDone(JsonNode event, String type) {
        JsonNode response = WireJson.requiredObject(event, "response", type);
        String id = WireJson.required(response, "id", type);
        String status = WireJson.required(response, "status", type);
        JsonNode details = response.get("status_details");
        Optional<String> reason = WireJson.optional(details, "reason");
        JsonNode error = details == null ? null : details.get("error");
        StringBuilder text = new StringBuilder();
        StringBuilder transcript = new StringBuilder();
        for (JsonNode item : response.path("output")) {
            for (JsonNode part : item.path("content")) {
                String partType = part.path("type").asText("");
                if (partType.equals("output_text") || partType.equals("text")) {
                    text.append(part.path("text").asText(""));
                } else if (partType.equals("output_audio") || partType.equals("audio")) {
                    transcript.append(part.path("transcript").asText(""));
                }
            }
        }
        return new ServerEvent.ResponseDone(type, id, status, reason,
                error != null && error.isObject() ? Optional.of(WireJson.error(error, type)) : Optional.empty(),
                text.toString(), transcript.toString(), WireJson.usage(response.get("usage")));
    }

    static ObjectNode envelope(String type, String eventId) {
        ObjectNode node = WireJson.MAPPER.createObjectNode();
        node.put("type", type);
        node.put("event_id", eventId);
        return node;
    }

    /** Response metadata: the caller's pairs plus the turn index, so parallel tooling can tell responses apart. */
    static ObjectNode responseMetadata(ResponseRequest request, int turnIndex) {
        ObjectNode metadata = WireJson.MAPPER.createObjectNode();
        request.getMetadata().forEach(metadata::put);
        metadata.put("streamscribe_turn", String.valueOf(turnIndex));
        return metadata;
    }
}
