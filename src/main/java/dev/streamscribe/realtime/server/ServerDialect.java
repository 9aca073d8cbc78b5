package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.ServerSessionConfig.Modality;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What one dialect's provider says and how, on the server side (the mirror of the client's {@code DialectCodec}):
 * event ids, the {@code session.update} shape it accepts, how it renders its session, its conversation-item and
 * response event names, and how it reports a failed transcription (docs/protocol.md sections 0-2). The session
 * logic in {@link ServerSession} and {@link ResponseStreamer} is the same for every dialect.
 *
 * <p>Threading: stateless; one instance per dialect is shared by every connection.
 */
abstract class ServerDialect {
    static final ObjectMapper JSON = new ObjectMapper();

    private static final ServerDialect GA = new Ga();
    private static final ServerDialect BETA = new Beta();
    private static final ServerDialect INWORLD = new Inworld();

    static ServerDialect of(Dialect dialect) {
        return switch (dialect) {
            case OPENAI_GA -> GA;
            case OPENAI_BETA -> BETA;
            case INWORLD -> INWORLD;
        };
    }

    abstract Dialect dialect();

    /** Validates and applies {@code session.update}s in this dialect's shape. */
    abstract SessionUpdateValidator updates();

    /** The model a session has before any update names one. */
    String defaultModel() {
        return "gpt-realtime";
    }

    /** Whether a connection opens with {@code session.created} (Inworld: "the session starts immediately"). */
    boolean sendsSessionCreated() {
        return true;
    }

    String newEventId() {
        return "event_" + randomId();
    }

    /** A new server event of {@code type} with a fresh event id. */
    final ObjectNode event(String type) {
        ObjectNode event = JSON.createObjectNode();
        event.put("type", type);
        event.put("event_id", newEventId());
        return event;
    }

    /** An {@code error} event; {@code correlatedEventId} names the client event it answers (null: none). */
    final ObjectNode errorEvent(ObjectNode error, String correlatedEventId) {
        ObjectNode event = event("error");
        ObjectNode body = error.deepCopy();
        putNullable(body, "event_id", correlatedEventId);
        event.set("error", body);
        return event;
    }

    /** The session as {@code session.created} and {@code session.updated} carry it. */
    abstract ObjectNode renderSession(ServerSessionConfig config, String sessionId, long expiresAt);

    /** The events announcing a new conversation item ({@code done}: it is already complete). */
    abstract List<ObjectNode> itemEvents(ObjectNode item, String previousItemId, boolean done);

    /** The content type of assistant text in this dialect's items. */
    String assistantTextType() {
        return "output_text";
    }

    /** An item in this dialect's content naming (GA names shown). */
    ObjectNode item(ObjectNode gaItem) {
        return gaItem.deepCopy();
    }

    /** The field of {@code response.create} that overrides the output modality. */
    abstract String responseModalitiesField();

    /** Puts the output modality (and what goes with it) on a response object. */
    abstract void putResponseModalities(ObjectNode response, Modality modality, String sessionId);

    abstract String audioDeltaType();

    abstract String audioDoneType();

    /** The delta event of the response's text, or of its audio's transcript. */
    abstract String textDeltaType(boolean audio);

    abstract String textDoneType(boolean audio);

    /** Whether {@code conversation.item.done} follows {@code response.output_item.done}. */
    boolean announcesFinishedOutputItems() {
        return true;
    }

    /** How a failed transcription of {@code itemId} is reported. */
    List<ObjectNode> transcriptionFailed(String itemId) {
        ObjectNode failed = event("conversation.item.input_audio_transcription.failed");
        failed.put("item_id", itemId).put("content_index", 0);
        failed.set("error", ServerErrors.error("transcription_error", "audio_unintelligible",
                "The audio could not be transcribed.", null));
        return List.of(failed);
    }

    /** Whether {@code ...transcription.completed} carries {@code usage} (GA made it required; beta had none). */
    boolean reportsTranscriptionUsage() {
        return true;
    }

    static String randomId() {
        return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    static void putNullable(ObjectNode node, String field, String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    /** OpenAI GA. */
    static class Ga extends ServerDialect {
        @Override
        Dialect dialect() {
            return Dialect.OPENAI_GA;
        }

        @Override
        SessionUpdateValidator updates() {
            return SessionUpdateValidator.ga();
        }

        @Override
        ObjectNode renderSession(ServerSessionConfig config, String sessionId, long expiresAt) {
            ObjectNode session = JSON.createObjectNode();
            boolean transcriptionSession = config.transcriptionOnly();
            session.put("type", config.type.wire)
                    .put("object", transcriptionSession ? "realtime.transcription_session" : "realtime.session")
                    .put("id", sessionId);
            if (!transcriptionSession) {
                session.put("model", config.model);
                session.putArray("output_modalities").add(config.outputModality.wire);
                session.put("instructions", config.instructions);
                session.putArray("tools");
                session.put("tool_choice", "auto");
                if (config.maxOutputTokens == null) {
                    session.put("max_output_tokens", "inf");
                } else {
                    session.set("max_output_tokens", config.maxOutputTokens);
                }
                session.putNull("tracing");
                session.putNull("prompt");
            }
            session.put("expires_at", expiresAt);
            if (config.includeLogprobs) {
                session.putArray("include").add("item.input_audio_transcription.logprobs");
            } else {
                session.putNull("include");
            }
            ObjectNode audio = session.putObject("audio");
            ObjectNode input = audio.putObject("input");
            ObjectNode format = input.putObject("format");
            format.put("type", config.inputFormat.gaType());
            if (config.inputFormat == AudioEncoding.PCM16) {
                format.put("rate", AudioEncoding.PCM16.sampleRate());
            }
            input.set("transcription", config.transcription);
            input.set("noise_reduction", config.noiseReduction);
            input.putNull("turn_detection");
            if (!transcriptionSession) {
                ObjectNode output = audio.putObject("output");
                output.putObject("format").put("type", AudioEncoding.PCM16.gaType()).put("rate", AudioEncoding.PCM16.sampleRate());
                output.put("voice", "marin").put("speed", 1.0);
            }
            return session;
        }

        @Override
        List<ObjectNode> itemEvents(ObjectNode item, String previousItemId, boolean done) {
            ObjectNode added = event("conversation.item.added");
            putNullable(added, "previous_item_id", previousItemId);
            added.set("item", item.deepCopy());
            if (!done) {
                return List.of(added);
            }
            ObjectNode finished = event("conversation.item.done");
            putNullable(finished, "previous_item_id", previousItemId);
            finished.set("item", item.deepCopy());
            return List.of(added, finished);
        }

        @Override
        String responseModalitiesField() {
            return "output_modalities";
        }

        @Override
        void putResponseModalities(ObjectNode response, Modality modality, String sessionId) {
            response.put("conversation_id", "conv_" + sessionId.substring(5));
            response.putArray("output_modalities").add(modality.wire);
        }

        @Override
        String audioDeltaType() {
            return "response.output_audio.delta";
        }

        @Override
        String audioDoneType() {
            return "response.output_audio.done";
        }

        @Override
        String textDeltaType(boolean audio) {
            return audio ? "response.output_audio_transcript.delta" : "response.output_text.delta";
        }

        @Override
        String textDoneType(boolean audio) {
            return audio ? "response.output_audio_transcript.done" : "response.output_text.done";
        }
    }

    /** Inworld: the GA wire shape, realtime sessions only, no {@code session.created}, UUID event ids. */
    static final class Inworld extends Ga {
        @Override
        Dialect dialect() {
            return Dialect.INWORLD;
        }

        @Override
        SessionUpdateValidator updates() {
            return SessionUpdateValidator.inworld();
        }

        @Override
        boolean sendsSessionCreated() {
            return false;
        }

        @Override
        String newEventId() {
            return UUID.randomUUID().toString();
        }

        /** Inworld has no {@code ...transcription.failed}: it reports an error event naming the item. */
        @Override
        List<ObjectNode> transcriptionFailed(String itemId) {
            return List.of(errorEvent(ServerErrors.error("server_error", null,
                    "Input transcription failed for item '" + itemId + "'.", null), null));
        }
    }

    /** OpenAI beta ({@code OpenAI-Beta: realtime=v1}): flat fields, {@code conversation.item.created}, old names. */
    static final class Beta extends ServerDialect {
        @Override
        Dialect dialect() {
            return Dialect.OPENAI_BETA;
        }

        @Override
        SessionUpdateValidator updates() {
            return SessionUpdateValidator.beta();
        }

        @Override
        String defaultModel() {
            return "gpt-4o-realtime-preview";
        }

        @Override
        ObjectNode renderSession(ServerSessionConfig config, String sessionId, long expiresAt) {
            ObjectNode session = JSON.createObjectNode();
            session.put("id", sessionId).put("object", "realtime.session").put("model", config.model);
            ArrayNode modalities = session.putArray("modalities").add("text");
            if (config.outputModality == Modality.AUDIO) {
                modalities.add("audio");
            }
            session.put("instructions", config.instructions).put("voice", "alloy")
                    .put("input_audio_format", config.inputFormat.betaName())
                    .put("output_audio_format", AudioEncoding.PCM16.betaName());
            session.set("input_audio_transcription", config.transcription);
            session.putNull("turn_detection");
            session.set("input_audio_noise_reduction", config.noiseReduction);
            session.putArray("tools");
            session.put("tool_choice", "auto").put("temperature", 0.8);
            if (config.maxOutputTokens == null) {
                session.put("max_response_output_tokens", "inf");
            } else {
                session.set("max_response_output_tokens", config.maxOutputTokens);
            }
            return session;
        }

        @Override
        List<ObjectNode> itemEvents(ObjectNode item, String previousItemId, boolean done) {
            ObjectNode created = event("conversation.item.created");
            putNullable(created, "previous_item_id", previousItemId);
            created.set("item", item(item));
            return List.of(created);
        }

        @Override
        String assistantTextType() {
            return "text";
        }

        /** Beta content types: {@code text} and {@code audio} where GA says {@code output_text}, {@code output_audio}. */
        @Override
        ObjectNode item(ObjectNode gaItem) {
            ObjectNode copy = gaItem.deepCopy();
            for (JsonNode part : copy.path("content")) {
                ObjectNode p = (ObjectNode) part;
                switch (p.path("type").asText()) {
                    case "output_text" -> p.put("type", "text");
                    case "output_audio" -> p.put("type", "audio");
                    default -> {
                    }
                }
            }
            return copy;
        }

        @Override
        String responseModalitiesField() {
            return "modalities";
        }

        @Override
        void putResponseModalities(ObjectNode response, Modality modality, String sessionId) {
            ArrayNode modalities = response.putArray("modalities").add("text");
            if (modality == Modality.AUDIO) {
                modalities.add("audio");
            }
        }

        @Override
        String audioDeltaType() {
            return "response.audio.delta";
        }

        @Override
        String audioDoneType() {
            return "response.audio.done";
        }

        @Override
        String textDeltaType(boolean audio) {
            return audio ? "response.audio_transcript.delta" : "response.text.delta";
        }

        @Override
        String textDoneType(boolean audio) {
            return audio ? "response.audio_transcript.done" : "response.text.done";
        }

        @Override
        boolean announcesFinishedOutputItems() {
            return false;
        }

        @Override
        boolean reportsTranscriptionUsage() {
            return false;
        }
    }
}
