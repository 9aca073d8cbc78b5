package dev.streamscribe.realtime.wire;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamscribe.avro.NoiseReduction;
import dev.streamscribe.avro.OutputModality;
import dev.streamscribe.avro.ResponseRequest;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.event.SessionSettings;

import java.util.Set;

/**
 * OpenAI Realtime beta wire format ({@code OpenAI-Beta: realtime=v1}; docs/protocol.md section 2.2): flat field names,
 * no {@code session.type}, string audio formats, beta event names. Conversation sessions only: beta
 * {@code transcription_session.*} is not supported.
 */
final class OpenAiBetaCodec extends CodecSupport {
    private static final Set<String> IGNORED = Set.of(
            "conversation.created", "conversation.item.created", "conversation.item.deleted",
            "conversation.item.retrieved", "conversation.item.truncated",
            "conversation.item.input_audio_transcription.segment",
            "input_audio_buffer.speech_stopped",
            "response.output_item.added", "response.output_item.done",
            "response.content_part.added", "response.content_part.done",
            "response.text.done", "response.audio_transcript.done", "response.audio.delta", "response.audio.done",
            "response.function_call_arguments.delta", "response.function_call_arguments.done",
            "output_audio_buffer.started", "output_audio_buffer.stopped", "output_audio_buffer.cleared");

    @Override
    public Dialect dialect() {
        return Dialect.OPENAI_BETA;
    }

    @Override
    String itemAddedType() {
        return "conversation.item.created";
    }

    @Override
    String assistantTextType() {
        return "text";
    }

    @Override
    String textDeltaType() {
        return "response.text.delta";
    }

    @Override
    String audioTranscriptDeltaType() {
        return "response.audio_transcript.delta";
    }

    @Override
    Set<String> ignoredTypes() {
        return IGNORED;
    }

    @Override
    String sessionUpdate(SessionSettings settings, String eventId) {
        ObjectNode event = envelope("session.update", eventId);
        ObjectNode session = event.putObject("session");
        modalities(session.putArray("modalities"), settings.outputModality());
        settings.model().ifPresent(model -> session.put("model", model));
        settings.instructions().ifPresent(instructions -> session.put("instructions", instructions));
        session.put("input_audio_format", settings.encoding().betaName());
        if (settings.transcription().isPresent()) {
            SessionSettings.Transcription t = settings.transcription().get();
            // Presence enables it: beta has no "enabled" flag (sending one is refused as unknown_parameter).
            ObjectNode transcription = session.putObject("input_audio_transcription");
            transcription.put("model", t.model());
            t.language().ifPresent(language -> transcription.put("language", language));
            t.prompt().ifPresent(prompt -> transcription.put("prompt", prompt));
        } else {
            session.putNull("input_audio_transcription");
        }
        session.putNull("turn_detection");
        if (settings.noiseReduction() == NoiseReduction.NONE) {
            session.putNull("input_audio_noise_reduction");
        } else {
            session.putObject("input_audio_noise_reduction").put("type",
                    settings.noiseReduction() == NoiseReduction.NEAR_FIELD ? "near_field" : "far_field");
        }
        settings.maxOutputTokens().ifPresent(max -> session.put("max_response_output_tokens", max));
        return event.toString();
    }

    @Override
    String responseCreate(ResponseRequest request, int turnIndex, String eventId) {
        ObjectNode event = envelope("response.create", eventId);
        ObjectNode response = event.putObject("response");
        modalities(response.putArray("modalities"), request.getOutputModality());
        if (request.getInstructions() != null) {
            response.put("instructions", request.getInstructions());
        }
        if (request.getMaxOutputTokens() != null) {
            response.put("max_response_output_tokens", request.getMaxOutputTokens());
        }
        response.set("metadata", responseMetadata(request, turnIndex));
        return event.toString();
    }

    /** Beta: ["text"] disables audio output; audio output is ["text","audio"]. */
    private static void modalities(ArrayNode array, OutputModality modality) {
        array.add("text");
        if (modality == OutputModality.AUDIO) {
            array.add("audio");
        }
    }
}
