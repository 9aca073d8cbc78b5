package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.realtime.server.ServerSessionConfig.Modality;
import dev.streamscribe.realtime.server.ServerSessionConfig.Type;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a {@code session.update}'s {@code session} object in one wire shape and applies it to a config: the GA
 * shape (also Inworld's, with its extra fields and without transcription sessions) or the flat beta shape. The
 * first problem found is answered with the providers' error (docs/protocol.md section 7); only the fields present
 * are applied.
 *
 * <p>Threading: stateless.
 */
abstract sealed class SessionUpdateValidator {
    /**
     * Applies {@code session} to {@code target} (a copy the caller keeps only on success).
     *
     * @return the error object when the update is refused
     */
    abstract Optional<ObjectNode> apply(JsonNode session, ServerSessionConfig target);

    static SessionUpdateValidator ga() {
        return new Ga(false);
    }

    static SessionUpdateValidator inworld() {
        return new Ga(true);
    }

    static SessionUpdateValidator beta() {
        return new Beta();
    }

    /** GA and Inworld. */
    static final class Ga extends SessionUpdateValidator {
        private static final Set<String> REALTIME_FIELDS = Set.of("type", "model", "output_modalities", "instructions",
                "audio", "include", "max_output_tokens", "tools", "tool_choice", "parallel_tool_calls", "reasoning",
                "truncation", "tracing", "prompt");
        private static final Set<String> TRANSCRIPTION_FIELDS = Set.of("type", "audio", "include");
        private static final Set<String> INWORLD_EXTRA_FIELDS = Set.of("temperature", "providerData");

        private final boolean inworld;

        private Ga(boolean inworld) {
            this.inworld = inworld;
        }

        @Override
        Optional<ObjectNode> apply(JsonNode session, ServerSessionConfig target) {
            JsonNode type = session.get("type");
            if (type == null || type.isNull()) {
                return Optional.of(ServerErrors.invalidRequest("missing_required_parameter",
                        "Missing required parameter: 'session.type'.", "session.type"));
            }
            String requested = type.asText();
            if (!requested.equals(Type.REALTIME.wire) && (inworld || !requested.equals(Type.TRANSCRIPTION.wire))) {
                return Optional.of(ServerErrors.invalidRequest("invalid_value", "Invalid value: '" + requested
                        + "'. Supported values are: " + (inworld ? "'realtime'." : "'realtime' and 'transcription'."),
                        "session.type"));
            }
            if (!requested.equals(target.type.wire)) {
                return Optional.of(ServerErrors.invalidRequest("invalid_parameter", "Passing a " + requested
                        + " session update event to a " + target.type.wire + " session is not allowed.", "session.type"));
            }
            Set<String> allowed = new HashSet<>(target.transcriptionOnly() ? TRANSCRIPTION_FIELDS : REALTIME_FIELDS);
            if (inworld) {
                allowed.addAll(INWORLD_EXTRA_FIELDS);
            }
            Optional<ObjectNode> unknown = unknownField(session, allowed, "session");
            if (unknown.isPresent()) {
                return unknown;
            }
            JsonNode input = session.path("audio").path("input");
            AudioEncoding format = target.inputFormat;
            if (input.has("format")) {
                JsonNode f = input.get("format");
                if (!f.isObject()) {
                    return Optional.of(ServerErrors.invalidRequest("invalid_type", "Invalid type for "
                            + "'session.audio.input.format': expected an object, but got a " + jsonType(f) + " instead.",
                            "session.audio.input.format"));
                }
                Optional<AudioEncoding> named = AudioEncoding.ofGaType(f.path("type").asText(""));
                if (named.isEmpty()) {
                    return Optional.of(ServerErrors.invalidRequest("invalid_value", "Invalid value: '"
                            + f.path("type").asText("") + "'. Supported values are: 'audio/pcm', 'audio/pcmu', and 'audio/pcma'.",
                            "session.audio.input.format.type"));
                }
                if (named.get() == AudioEncoding.PCM16 && f.has("rate") && f.get("rate").asInt() != AudioEncoding.PCM16.sampleRate()) {
                    return Optional.of(ServerErrors.invalidRequest("invalid_value", "Invalid value: "
                            + f.get("rate") + ". Supported values are: 24000.", "session.audio.input.format.rate"));
                }
                format = named.get();
            }
            Optional<ObjectNode> vad = refuseVad(input.get("turn_detection"), "session.audio.input.turn_detection");
            if (vad.isPresent()) {
                return vad;
            }
            JsonNode newTranscription = input.get("transcription");
            Optional<ObjectNode> badTranscription = checkTranscription(newTranscription, "session.audio.input.transcription");
            if (badTranscription.isPresent()) {
                return badTranscription;
            }
            JsonNode modalities = session.get("output_modalities");
            if (modalities != null && (!modalities.isArray() || modalities.size() != 1
                    || !Set.of("text", "audio").contains(modalities.get(0).asText()))) {
                return Optional.of(ServerErrors.invalidRequest("invalid_value", "Invalid value: " + modalities
                        + ". Supported values are: ['text'] and ['audio'].", "session.output_modalities"));
            }
            // everything checked: apply (only the fields present are updated)
            applyInput(input, "transcription", "noise_reduction", format, target);
            applyCommon(session, target);
            if (modalities != null) {
                target.outputModality = modalities.get(0).asText().equals("audio") ? Modality.AUDIO : Modality.TEXT;
            }
            if (session.has("max_output_tokens")) {
                target.maxOutputTokens = session.get("max_output_tokens");
            }
            if (session.has("include")) {
                target.includeLogprobs = session.get("include").toString().contains("item.input_audio_transcription.logprobs");
            }
            return Optional.empty();
        }
    }

    /** The beta shape ({@code OpenAI-Beta: realtime=v1}). */
    static final class Beta extends SessionUpdateValidator {
        private static final Set<String> FIELDS = Set.of("modalities", "model", "instructions", "voice",
                "input_audio_format", "output_audio_format", "input_audio_transcription", "turn_detection",
                "input_audio_noise_reduction", "tools", "tool_choice", "temperature", "max_response_output_tokens",
                "tracing", "speed");

        @Override
        Optional<ObjectNode> apply(JsonNode session, ServerSessionConfig target) {
            Optional<ObjectNode> unknown = unknownField(session, FIELDS, "session");
            if (unknown.isPresent()) {
                return unknown;
            }
            AudioEncoding format = target.inputFormat;
            if (session.has("input_audio_format")) {
                String name = session.get("input_audio_format").asText("");
                Optional<AudioEncoding> named = AudioEncoding.ofBetaName(name);
                if (named.isEmpty()) {
                    return Optional.of(ServerErrors.invalidRequest("invalid_value", "Invalid value: '" + name
                            + "'. Supported values are: 'pcm16', 'g711_ulaw', and 'g711_alaw'.", "session.input_audio_format"));
                }
                format = named.get();
            }
            Optional<ObjectNode> vad = refuseVad(session.get("turn_detection"), "session.turn_detection");
            if (vad.isPresent()) {
                return vad;
            }
            JsonNode newTranscription = session.get("input_audio_transcription");
            if (newTranscription != null && newTranscription.isObject() && newTranscription.has("enabled")) {
                return Optional.of(ServerErrors.invalidRequest("unknown_parameter",
                        "Unknown parameter: 'session.input_audio_transcription.enabled'.",
                        "session.input_audio_transcription.enabled"));
            }
            Optional<ObjectNode> badTranscription = checkTranscription(newTranscription, "session.input_audio_transcription");
            if (badTranscription.isPresent()) {
                return badTranscription;
            }
            JsonNode modalities = session.get("modalities");
            applyInput(session, "input_audio_transcription", "input_audio_noise_reduction", format, target);
            applyCommon(session, target);
            if (modalities != null && modalities.isArray()) {
                target.outputModality = modalities.toString().contains("audio") ? Modality.AUDIO : Modality.TEXT;
            }
            if (session.has("max_response_output_tokens")) {
                target.maxOutputTokens = session.get("max_response_output_tokens");
            }
            return Optional.empty();
        }
    }

    /** The input side, wherever a shape keeps it: the format, and transcription and noise reduction when present. */
    static void applyInput(JsonNode container, String transcriptionField, String noiseReductionField,
                           AudioEncoding format, ServerSessionConfig target) {
        target.inputFormat = format;
        if (container.has(transcriptionField)) {
            JsonNode transcription = container.get(transcriptionField);
            target.transcription = transcription.isNull() ? null : (ObjectNode) transcription.deepCopy();
        }
        if (container.has(noiseReductionField)) {
            target.noiseReduction = container.get(noiseReductionField);
        }
    }

    /** Fields both shapes name alike. */
    static void applyCommon(JsonNode session, ServerSessionConfig target) {
        if (session.has("model")) {
            target.model = session.get("model").asText();
        }
        if (session.has("instructions")) {
            target.instructions = session.get("instructions").asText();
        }
    }

    static Optional<ObjectNode> unknownField(JsonNode object, Set<String> allowed, String path) {
        for (var it = object.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                return Optional.of(ServerErrors.invalidRequest("unknown_parameter", "Unknown parameter: '" + path + "."
                        + name + "'.", path + "." + name));
            }
        }
        return Optional.empty();
    }

    static Optional<ObjectNode> refuseVad(JsonNode turnDetection, String param) {
        if (turnDetection != null && !turnDetection.isNull()) {
            return Optional.of(ServerErrors.invalidRequest("turn_detection_not_supported", "The local streamscribe "
                    + "server commits only when told: send turn_detection null and input_audio_buffer.commit.", param));
        }
        return Optional.empty();
    }

    static Optional<ObjectNode> checkTranscription(JsonNode transcription, String param) {
        if (transcription == null || transcription.isNull()) {
            return Optional.empty();
        }
        if (!transcription.isObject()) {
            return Optional.of(ServerErrors.invalidRequest("invalid_type", "Invalid type for '" + param
                    + "': expected an object, but got a " + jsonType(transcription) + " instead.", param));
        }
        if (!transcription.path("model").isTextual() || transcription.get("model").asText().isBlank()) {
            return Optional.of(ServerErrors.invalidRequest("missing_required_parameter", "Missing required parameter: '"
                    + param + ".model'.", param + ".model"));
        }
        return Optional.empty();
    }

    static String jsonType(JsonNode node) {
        return node.isTextual() ? "string" : node.isNumber() ? "number" : node.isArray() ? "array"
                : node.isBoolean() ? "boolean" : "object";
    }
}
