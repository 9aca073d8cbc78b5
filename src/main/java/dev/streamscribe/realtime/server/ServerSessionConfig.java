package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamscribe.audio.AudioEncoding;

/**
 * A local session's effective configuration, as {@code session.update}s left it. A validator applies an update to
 * a {@link #copy()}; the session keeps the copy only when the whole update was accepted (a refused update changes
 * nothing, as the providers do).
 *
 * <p>Threading: owned by one session's serial executor.
 */
final class ServerSessionConfig {
    /** The GA {@code session.type}: conversation or transcription-only. */
    enum Type {
        REALTIME("realtime"), TRANSCRIPTION("transcription");

        final String wire;

        Type(String wire) {
            this.wire = wire;
        }
    }

    /** What responses produce. */
    enum Modality {
        TEXT("text"), AUDIO("audio");

        final String wire;

        Modality(String wire) {
            this.wire = wire;
        }
    }

    Type type;
    String model;
    String instructions;
    Modality outputModality = Modality.AUDIO;
    AudioEncoding inputFormat = AudioEncoding.PCM16;
    /** The transcription settings as sent, or null: transcription off. */
    ObjectNode transcription;
    JsonNode noiseReduction;
    boolean includeLogprobs;
    /** As sent, or null: "inf". */
    JsonNode maxOutputTokens;

    ServerSessionConfig(Type type, String model, String instructions) {
        this.type = type;
        this.model = model;
        this.instructions = instructions;
    }

    ServerSessionConfig copy() {
        ServerSessionConfig copy = new ServerSessionConfig(type, model, instructions);
        copy.outputModality = outputModality;
        copy.inputFormat = inputFormat;
        copy.transcription = transcription;
        copy.noiseReduction = noiseReduction;
        copy.includeLogprobs = includeLogprobs;
        copy.maxOutputTokens = maxOutputTokens;
        return copy;
    }

    boolean transcriptionOnly() {
        return type == Type.TRANSCRIPTION;
    }
}
