package dev.streamscribe.cli;

import dev.streamscribe.avro.NoiseReduction;
import dev.streamscribe.avro.OutputModality;
import dev.streamscribe.avro.ResponseRequest;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.event.InvalidSessionConfigException;
import dev.streamscribe.realtime.event.SessionSettings;
import picocli.CommandLine.Option;

import java.util.Map;

/**
 * What every ingested session asks of the provider. Changing any of these makes a new run of the same recordings
 * (its run token is a hash of them); metadata does not.
 */
final class SessionOptions {
    @Option(names = "--transcription-model", defaultValue = "gpt-4o-transcribe",
            description = "Transcription model (default: ${DEFAULT-VALUE}; e.g. whisper-1, gpt-4o-mini-transcribe).")
    String transcriptionModel;

    @Option(names = "--language", description = "Language of the audio as an ISO-639-1 code, e.g. en (default: detected).")
    String language;

    @Option(names = "--prompt", description = "Transcription prompt: vocabulary or context that helps the model.")
    String prompt;

    @Option(names = "--logprobs", description = "Ask for token log-probabilities of transcripts (gpt-4o-* models).")
    boolean logprobs;

    @Option(names = "--model", description = "Realtime model. Needed for responses and for the openai-beta dialect;"
            + " without it (and without --respond) sessions are transcription-only.")
    String model;

    @Option(names = "--instructions", description = "Session instructions for the model (responses).")
    String instructions;

    @Option(names = "--respond", description = "Ask for a response after every turn (needs --model). Costs model tokens.")
    boolean respond;

    @Option(names = "--response-instructions", description = "Instructions for each response (implies --respond).")
    String responseInstructions;

    @Option(names = "--response-modality", defaultValue = "TEXT",
            description = "TEXT or AUDIO responses (default: ${DEFAULT-VALUE}; audio is recorded as its transcript).")
    OutputModality responseModality;

    @Option(names = "--max-output-tokens", description = "Limit of each response, 1..4096.")
    Integer maxOutputTokens;

    @Option(names = "--noise-reduction", defaultValue = "NONE",
            description = "Provider-side input noise reduction: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    NoiseReduction noiseReduction;

    @Option(names = "--provider", paramLabel = "NAME",
            description = "The provider that must serve these sessions (realtime.provider-name or a providers.NAME of the "
                    + "pipeline definition); default: the pipeline picks the highest-priority provider that can take "
                    + "each, and fails it over to another when that one is out.")
    String provider;

    @Option(names = "--metadata", paramLabel = "KEY=VALUE",
            description = "Metadata every session carries into its results (repeatable); 'source' is set to the file name.")
    Map<String, String> metadata = Map.of();

    /** The config template (session id and run token are set per file), checked against the dialect. */
    SessionConfig template(Dialect dialect) {
        SessionConfig.Builder config = SessionConfig.newBuilder().setSessionId("template").setRunToken("template")
                .setModel(model).setInstructions(instructions).setNoiseReduction(noiseReduction).setProvider(provider)
                .setTranscription(TranscriptionSettings.newBuilder().setModel(transcriptionModel).setLanguage(language)
                        .setPrompt(prompt).setIncludeLogprobs(logprobs).build());
        if (respond || responseInstructions != null) {
            config.setResponse(ResponseRequest.newBuilder().setInstructions(responseInstructions)
                    .setOutputModality(responseModality).setMaxOutputTokens(maxOutputTokens).build());
        }
        SessionConfig built = config.build();
        try {
            SessionSettings.from(built, dialect);
        } catch (InvalidSessionConfigException e) {
            throw new IllegalArgumentException("these session options cannot be sent to a " + dialect.id()
                    + " provider: " + e.getMessage());
        }
        return built;
    }
}
