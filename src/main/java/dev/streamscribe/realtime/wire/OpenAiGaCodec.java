package dev.streamscribe.realtime.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamscribe.avro.NoiseReduction;
import dev.streamscribe.avro.OutputModality;
import dev.streamscribe.avro.ResponseRequest;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.event.SessionSettings;

import java.util.Set;
import java.util.UUID;

/**
 * OpenAI Realtime GA wire format (docs/protocol.md section 2.1), also spoken by Inworld, which is "wire-compatible
 * with the OpenAI Realtime spec" but has no transcription sessions: for Inworld every update is
 * {@code session.type: realtime}. {@code session.type} is on every update (without it the whole update is refused).
 */
final class OpenAiGaCodec extends CodecSupport {
    private static final Set<String> IGNORED = Set.of(
            "conversation.created", "conversation.item.added", "conversation.item.done", "conversation.item.created",
            "conversation.item.deleted", "conversation.item.retrieved", "conversation.item.truncated",
            "conversation.item.input_audio_transcription.segment",
            "input_audio_buffer.speech_stopped",
            "input_audio_buffer.timeout_triggered", "input_audio_buffer.dtmf_event_received",
            "response.output_item.added", "response.output_item.done",
            "response.content_part.added", "response.content_part.done",
            "response.output_text.done", "response.output_audio_transcript.done",
            "response.output_audio.delta", "response.output_audio.done",
            "response.function_call_arguments.delta", "response.function_call_arguments.done",
            "output_audio_buffer.started", "output_audio_buffer.stopped", "output_audio_buffer.cleared");

    private final Dialect dialect;

    OpenAiGaCodec(Dialect dialect) {
        this.dialect = dialect;
    }

    @Override
    public Dialect dialect() {
        return dialect;
    }

    /** Inworld's own events carry UUIDs, so ours do too; OpenAI's read {@code <kind>_<ordinal>}. */
    @Override
    public String eventId(String kind, String ordinal) {
        return dialect == Dialect.INWORLD ? UUID.randomUUID().toString() : super.eventId(kind, ordinal);
    }

    @Override
    String itemAddedType() {
        return "conversation.item.added";
    }

    @Override
    String assistantTextType() {
        return "output_text";
    }

    @Override
    String textDeltaType() {
        return "response.output_text.delta";
    }

    @Override
    String audioTranscriptDeltaType() {
        return "response.output_audio_transcript.delta";
    }

    @Override
    Set<String> ignoredTypes() {
        return IGNORED;
    }

    @Override
    String sessionUpdate(SessionSettings settings, String eventId) {
        boolean transcriptionSession = settings.transcriptionOnly() && dialect == Dialect.OPENAI_GA;
        ObjectNode event = envelope("session.update", eventId);
        ObjectNode session = event.putObject("session");
        session.put("type", transcriptionSession ? "transcription" : "realtime");
        if (!transcriptionSession) {
            settings.model().ifPresent(model -> session.put("model", model));
            session.putArray("output_modalities").add(modality(settings.outputModality()));
            settings.instructions().ifPresent(instructions -> session.put("instructions", instructions));
            settings.maxOutputTokens().ifPresent(max -> session.put("max_output_tokens", max));
        }
        ObjectNode input = session.putObject("audio").putObject("input");
        ObjectNode format = input.putObject("format");
        format.put("type", settings.encoding().gaType());
        if (!settings.encoding().isG711()) {
            format.put("rate", settings.encoding().sampleRate());
        }
        if (settings.transcription().isPresent()) {
            SessionSettings.Transcription t = settings.transcription().get();
            ObjectNode transcription = input.putObject("transcription");
            transcription.put("model", t.model());
            t.language().ifPresent(language -> transcription.put("language", language));
            t.prompt().ifPresent(prompt -> transcription.put("prompt", prompt));
        } else {
            input.putNull("transcription");
        }
        if (settings.noiseReduction() == NoiseReduction.NONE) {
            input.putNull("noise_reduction");
        } else {
            input.putObject("noise_reduction").put("type", settings.noiseReduction() == NoiseReduction.NEAR_FIELD
                    ? "near_field" : "far_field");
        }
        // Manual commits only: VAD is on by default, also in transcription sessions.
        input.putNull("turn_detection");
        if (settings.transcription().map(SessionSettings.Transcription::includeLogprobs).orElse(false)) {
            session.putArray("include").add("item.input_audio_transcription.logprobs");
        }
        return event.toString();
    }

    @Override
    String responseCreate(ResponseRequest request, int turnIndex, String eventId) {
        ObjectNode event = envelope("response.create", eventId);
        ObjectNode response = event.putObject("response");
        response.putArray("output_modalities").add(modality(request.getOutputModality()));
        if (request.getInstructions() != null) {
            response.put("instructions", request.getInstructions());
        }
        if (request.getMaxOutputTokens() != null) {
            response.put("max_output_tokens", request.getMaxOutputTokens());
        }
        response.set("metadata", responseMetadata(request, turnIndex));
        return event.toString();
    }

    private static String modality(OutputModality modality) {
        return modality == OutputModality.AUDIO ? "audio" : "text";
    }
}
