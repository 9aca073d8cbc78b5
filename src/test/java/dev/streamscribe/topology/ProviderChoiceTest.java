package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.config.ProviderDefinition;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.testing.TestConfigs;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which providers may serve a session: the one it names, one that serves its models, one whose dialect can say it. */
class ProviderChoiceTest {
    private static final ProviderDefinition OPENAI = provider("openai", Dialect.OPENAI_GA, Map.of());
    private static final ProviderDefinition LOCAL = provider("local", Dialect.OPENAI_GA,
            Map.of("gpt-4o-transcribe", "whisper-local"));

    private static ProviderDefinition provider(String name, Dialect dialect, Map<String, String> models) {
        return new ProviderDefinition(name, dialect, URI.create("ws://127.0.0.1:1/v1/realtime"), Optional.empty(), 4, 0,
                models, "openai", false);
    }

    @Test
    void aProviderServesTheModelsItMapsUnderItsOwnNames() {
        SessionConfig config = TestConfigs.transcription(Dialect.OPENAI_GA, "s1"); // gpt-4o-transcribe
        assertEquals(Optional.empty(), ProviderChoice.refusal(config, LOCAL));
        assertEquals("whisper-local", ProviderChoice.mapped(config, LOCAL).orElseThrow().getTranscription().getModel());
        assertEquals("gpt-4o-transcribe", config.getTranscription().getModel(), "the session's own config unchanged");
    }

    @Test
    void aProviderThatDoesNotMapTheSessionsModelRefusesIt() {
        SessionConfig config = TestConfigs.transcription(Dialect.OPENAI_GA, "s1");
        config.getTranscription().setModel("whisper-1");
        String refusal = ProviderChoice.refusal(config, LOCAL).orElseThrow();
        assertTrue(refusal.contains("does not serve model 'whisper-1'"), refusal);
        assertEquals(Optional.empty(), ProviderChoice.refusal(config, OPENAI), "a provider without a map serves all");
    }

    @Test
    void aSessionThatNamesAProviderGoesNowhereElse() {
        SessionConfig config = TestConfigs.transcription(Dialect.OPENAI_GA, "s1");
        config.setProvider("local");
        assertTrue(ProviderChoice.refusal(config, OPENAI).isPresent());
        assertEquals(Optional.empty(), ProviderChoice.refusal(config, LOCAL));
    }

    @Test
    void noProviderForASessionIsExplainedPerProviderOrByTheNameItGave() {
        SessionConfig unmapped = TestConfigs.transcription(Dialect.OPENAI_GA, "s1");
        unmapped.getTranscription().setModel("whisper-1");
        unmapped.setProvider("local");
        String refusal = ProviderChoice.refusalByAll(unmapped, List.of(OPENAI, LOCAL)).orElseThrow();
        assertTrue(refusal.contains("does not serve model 'whisper-1'"), refusal);
        SessionConfig unknown = TestConfigs.transcription(Dialect.OPENAI_GA, "s1");
        unknown.setProvider("azure");
        String named = ProviderChoice.refusalByAll(unknown, List.of(OPENAI, LOCAL)).orElseThrow();
        assertTrue(named.contains("names provider 'azure', which this pipeline does not have (providers: openai, "
                + "local)"), named);
    }

    @Test
    void aProviderWhoseDialectCannotSayTheConfigRefusesIt() {
        SessionConfig noModel = TestConfigs.transcription(Dialect.OPENAI_GA, "s1"); // the beta dialect needs a model
        ProviderDefinition beta = provider("beta", Dialect.OPENAI_BETA, Map.of());
        String refusal = ProviderChoice.refusal(noModel, beta).orElseThrow();
        assertTrue(refusal.startsWith("provider 'beta' (openai-beta): "), refusal);
    }
}
