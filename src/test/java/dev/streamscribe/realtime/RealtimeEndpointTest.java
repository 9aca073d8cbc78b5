package dev.streamscribe.realtime;

import dev.streamscribe.realtime.event.SessionSettings;
import dev.streamscribe.testing.TestConfigs;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The upgrade URL each dialect gets: its own query parameters, or the URL as given when it already names a model. */
class RealtimeEndpointTest {
    private static String url(Dialect dialect, String base, boolean responses) {
        var config = responses ? TestConfigs.withResponses(dialect, "s") : TestConfigs.transcription(dialect, "s");
        return new RealtimeEndpoint(dialect, URI.create(base), Optional.empty())
                .connectRequest(SessionSettings.from(config, dialect), "key-1").uri().toString();
    }

    @Test
    void gaTranscriptionSessionsAskForTheTranscriptionIntentAndConversationsNameTheirModel() {
        assertEquals("wss://api.openai.com/v1/realtime?intent=transcription",
                url(Dialect.OPENAI_GA, "wss://api.openai.com/v1/realtime", false));
        assertEquals("wss://api.openai.com/v1/realtime?model=gpt-realtime",
                url(Dialect.OPENAI_GA, "wss://api.openai.com/v1/realtime", true));
    }

    @Test
    void aUrlThatAlreadyNamesAModelIsUsedAsGiven() {
        String azure = "wss://example.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&model=my-deployment";
        assertEquals(azure, url(Dialect.OPENAI_GA, azure, false), "no intent added to a named deployment");
        assertEquals(azure, url(Dialect.OPENAI_GA, azure, true), "no second model");
        assertEquals(azure, url(Dialect.OPENAI_BETA, azure, true));
    }

    @Test
    void theModelAUrlNamesIsReadFromItsQuery() {
        assertEquals(Optional.of("gpt-4o-realtime-preview"), RealtimeEndpoint.modelNamedBy(
                URI.create("wss://proxy.example/v1/realtime?model=gpt-4o-realtime-preview&x=1")));
        assertEquals(Optional.empty(), RealtimeEndpoint.modelNamedBy(URI.create("wss://api.openai.com/v1/realtime")));
        assertEquals(Optional.empty(), RealtimeEndpoint.modelNamedBy(URI.create("wss://x/v1/realtime?model=")));
    }

    @Test
    void inworldGetsItsSessionKeyAndProtocol() {
        assertEquals("wss://api.inworld.ai/api/v1/realtime/session?key=key-1&protocol=realtime",
                url(Dialect.INWORLD, "wss://api.inworld.ai/api/v1/realtime/session", true));
    }
}
