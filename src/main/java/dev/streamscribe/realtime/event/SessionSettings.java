package dev.streamscribe.realtime.event;

import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.avro.AudioFormat;
import dev.streamscribe.avro.NoiseReduction;
import dev.streamscribe.avro.OutputModality;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.Dialect;

import java.util.Optional;

/**
 * The provider-side session configuration derived from a {@link SessionConfig}: what every dialect's
 * {@code session.update} expresses in its own field names. Always complete: observed providers treat an update
 * as a full replacement, so we never send deltas.
 *
 * @param transcriptionOnly no turn asks for a response: OpenAI GA then connects with {@code intent=transcription}
 *                          and sends {@code session.type: transcription}
 */
public record SessionSettings(boolean transcriptionOnly, Optional<String> model, Optional<String> instructions,
                              Optional<Transcription> transcription, AudioFormat audioFormat,
                              NoiseReduction noiseReduction, OutputModality outputModality,
                              Optional<Integer> maxOutputTokens) {

    /** Input transcription settings. */
    public record Transcription(String model, Optional<String> language, Optional<String> prompt,
                                boolean includeLogprobs) {
    }

    /**
     * Derives the settings for {@code dialect}.
     *
     * @throws InvalidSessionConfigException the config cannot be expressed (a permanent failure: retrying won't help)
     */
    public static SessionSettings from(SessionConfig config, Dialect dialect) {
        boolean wantsResponses = config.getResponse() != null;
        Optional<String> model = Optional.ofNullable(config.getModel()).filter(m -> !m.isBlank());
        Optional<Transcription> transcription = Optional.ofNullable(config.getTranscription())
                .map(t -> new Transcription(t.getModel(), Optional.ofNullable(t.getLanguage()).filter(s -> !s.isBlank()),
                        Optional.ofNullable(t.getPrompt()), t.getIncludeLogprobs()));
        if (config.getAudioFormat() == AudioFormat.UNKNOWN) {
            throw new InvalidSessionConfigException("audio format is UNKNOWN (written by a newer producer?): "
                    + "expected PCM16_24KHZ, G711_ULAW or G711_ALAW");
        }
        if (!wantsResponses && transcription.isEmpty()) {
            throw new InvalidSessionConfigException("the config asks for neither transcription nor a response: "
                    + "nothing to do");
        }
        if (transcription.isPresent() && transcription.get().model().isBlank()) {
            throw new InvalidSessionConfigException("transcription.model is empty");
        }
        if (wantsResponses && model.isEmpty() && dialect != Dialect.INWORLD) {
            throw new InvalidSessionConfigException("a response is requested but the config names no model "
                    + "(responses need a conversation session, e.g. model=gpt-realtime)");
        }
        if (dialect == Dialect.OPENAI_BETA && model.isEmpty()) {
            throw new InvalidSessionConfigException("the openai-beta dialect uses conversation sessions only and "
                    + "needs a model (e.g. gpt-4o-realtime-preview)");
        }
        if (wantsResponses && config.getResponse().getMetadata().size() > 15) {
            throw new InvalidSessionConfigException("response metadata has " + config.getResponse().getMetadata().size()
                    + " entries; providers allow 16 and streamscribe adds one (the turn index)");
        }
        Integer maxTokens = wantsResponses ? config.getResponse().getMaxOutputTokens() : null;
        if (maxTokens != null && (maxTokens < 1 || maxTokens > 4096)) {
            throw new InvalidSessionConfigException("response.maxOutputTokens must be 1..4096, got " + maxTokens);
        }
        OutputModality modality = wantsResponses ? config.getResponse().getOutputModality() : OutputModality.TEXT;
        return new SessionSettings(!wantsResponses, model, Optional.ofNullable(config.getInstructions()),
                transcription, config.getAudioFormat(), config.getNoiseReduction(), modality,
                Optional.ofNullable(maxTokens));
    }

    /** This session's audio encoding (never UNKNOWN: {@link #from} refuses it). */
    public AudioEncoding encoding() {
        return AudioEncoding.of(audioFormat).orElseThrow();
    }

    /** Bytes of audio per millisecond in this session's format (48 for 24 kHz pcm16, 8 for G.711). */
    public int bytesPerMillisecond() {
        return encoding().bytesPerMillisecond();
    }

    /** Bytes per sample: appends must be a multiple of this. */
    public int bytesPerSample() {
        return encoding().bytesPerSample();
    }
}
