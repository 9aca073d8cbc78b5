package dev.streamscribe.realtime;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.ScriptedRealtimePeer.PeerConnection;
import dev.streamscribe.realtime.driver.FailureClass;
import dev.streamscribe.realtime.driver.RealtimeSessionDriver;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.transport.JettyWebSocketTransport;
import dev.streamscribe.testing.ListAudioPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connection setup per dialect (URL, query, auth), upgrade refusals, and bad input from the server. */
class DriverConnectionTest {
    private static final int CHUNK = 24_000;

    private static SessionOutcome run(DriverHarness h, SessionConfig config) {
        return h.run(DriverHarness.request(config, 500), new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500)));
    }

    @Test
    void shouldConnectGaTranscriptionSessionsWithIntentAndWithoutModel() {
        try (DriverHarness h = new DriverHarness(Dialect.OPENAI_GA, s -> { })) {
            assertInstanceOf(SessionOutcome.Completed.class, run(h, h.transcriptionConfig()));
            PeerConnection c = h.peer.connections().getFirst();
            assertEquals("/v1/realtime", c.uri.getPath());
            assertEquals("intent=transcription", c.uri.getQuery());
            assertEquals("Bearer " + h.apiKey.orElseThrow().reveal(), c.headers.get("Authorization"));
            assertFalse(c.headers.containsKey("OpenAI-Beta"));
            assertEquals("transcription", c.received.getFirst().path("session").path("type").asText());
        }
    }

    @Test
    void shouldConnectGaConversationSessionsWithTheModel() {
        try (DriverHarness h = new DriverHarness(Dialect.OPENAI_GA, s -> { })) {
            assertInstanceOf(SessionOutcome.Completed.class, run(h, h.responseConfig()));
            PeerConnection c = h.peer.connections().getFirst();
            assertEquals("model=gpt-realtime", c.uri.getQuery());
            assertEquals("realtime", c.received.getFirst().path("session").path("type").asText());
            assertEquals("text", c.received.getFirst().path("session").path("output_modalities").get(0).asText());
        }
    }

    @Test
    void shouldConnectBetaWithTheBetaHeaderAndAModel() {
        try (DriverHarness h = new DriverHarness(Dialect.OPENAI_BETA, s -> { })) {
            assertInstanceOf(SessionOutcome.Completed.class, run(h, h.transcriptionConfig()));
            PeerConnection c = h.peer.connections().getFirst();
            assertEquals("model=gpt-4o-realtime-preview", c.uri.getQuery());
            assertEquals("realtime=v1", c.headers.get("OpenAI-Beta"));
            assertEquals("Bearer " + h.apiKey.orElseThrow().reveal(), c.headers.get("Authorization"));
            assertFalse(c.received.getFirst().path("session").has("type"), "beta rejects session.type");
        }
    }

    @Test
    void shouldConnectInworldWithKeyProtocolAndBasicAuth() {
        try (DriverHarness h = new DriverHarness(Dialect.INWORLD, s -> { })) {
            assertInstanceOf(SessionOutcome.Completed.class, run(h, h.responseConfig()));
            PeerConnection c = h.peer.connections().getFirst();
            assertEquals("/api/v1/realtime/session", c.uri.getPath());
            assertTrue(c.uri.getQuery().matches("key=s-1-1-1&protocol=realtime"), c.uri.getQuery());
            assertEquals("Basic " + h.apiKey.orElseThrow().reveal(), c.headers.get("Authorization"));
            assertEquals("realtime", c.received.getFirst().path("session").path("type").asText());
            String eventId = c.received.getFirst().path("event_id").asText();
            assertTrue(eventId.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), eventId);
        }
    }

    @Test
    void shouldNeverAskInworldForATranscriptionIntent() {
        try (DriverHarness h = new DriverHarness(Dialect.INWORLD, s -> { })) {
            assertInstanceOf(SessionOutcome.Completed.class, run(h, h.transcriptionConfig()));
            PeerConnection c = h.peer.connections().getFirst();
            assertFalse(c.uri.getQuery().contains("intent"), c.uri.getQuery());
            assertEquals("realtime", c.received.getFirst().path("session").path("type").asText());
        }
    }

    @Test
    void shouldConnectWithoutAuthorizationWhenNoKeyIsConfigured() {
        try (DriverHarness h = new DriverHarness(Dialect.OPENAI_GA, s -> { })) {
            h.apiKey = Optional.empty();
            assertInstanceOf(SessionOutcome.Completed.class, run(h, h.transcriptionConfig()));
            assertFalse(h.peer.connections().getFirst().headers.containsKey("Authorization"));
        }
    }

    @ParameterizedTest
    @CsvSource({"401,PERMANENT,false", "403,PERMANENT,false", "400,PERMANENT,false", "429,TRANSIENT,true",
            "503,TRANSIENT,false", "500,TRANSIENT,false"})
    void shouldClassifyARefusedUpgradeByItsStatus(int status, FailureClass expected, boolean rateLimited) {
        try (DriverHarness h = new DriverHarness(Dialect.OPENAI_GA, s -> { })) {
            h.peer.refuseUpgradesWith(status);
            SessionOutcome.Failed outcome = assertInstanceOf(SessionOutcome.Failed.class, run(h, h.transcriptionConfig()));
            assertEquals(expected, outcome.classification().failureClass());
            assertEquals("UPGRADE_REFUSED_" + status, outcome.classification().reason());
            assertEquals(rateLimited, outcome.classification().rateLimited());
        }
    }

    @Test
    void shouldClassifyAnUnreachableProviderAsTransient() throws Exception {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        try (DriverHarness h = new DriverHarness(Dialect.OPENAI_GA, s -> { });
             var transport = new JettyWebSocketTransport(Duration.ofSeconds(2), 1 << 20)) {
            var endpoint = new RealtimeEndpoint(Dialect.OPENAI_GA, URI.create("ws://127.0.0.1:" + port + "/v1/realtime"),
                    Optional.empty());
            var driver = new RealtimeSessionDriver(endpoint, transport,
                    h.settings, ForkJoinPool.commonPool(),
                    Executors.newSingleThreadScheduledExecutor());
            SessionOutcome.Failed outcome = assertInstanceOf(SessionOutcome.Failed.class, driver.run(
                    DriverHarness.request(h.transcriptionConfig(), 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500))).get(20, TimeUnit.SECONDS));
            assertEquals("CONNECT_FAILED", outcome.classification().reason());
            assertEquals(FailureClass.TRANSIENT, outcome.classification().failureClass());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldFailTransientlyNamingAMalformedEvent(Dialect dialect) {
        try (DriverHarness h = new DriverHarness(dialect, s -> s.afterSessionUpdated = "{\"type\": \"session.upd")) {
            SessionOutcome.Failed outcome = assertInstanceOf(SessionOutcome.Failed.class, run(h, h.transcriptionConfig()));
            assertEquals("MALFORMED_SERVER_EVENT", outcome.classification().reason());
            assertEquals(FailureClass.TRANSIENT, outcome.classification().failureClass());
            assertTrue(outcome.classification().message().contains("not JSON"), outcome.classification().message());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldFailNamingAnEventThatLacksARequiredField(Dialect dialect) {
        try (DriverHarness h = new DriverHarness(dialect,
                s -> s.afterSessionUpdated = "{\"type\":\"conversation.item.input_audio_transcription.completed\",\"transcript\":\"x\"}")) {
            SessionOutcome.Failed outcome = assertInstanceOf(SessionOutcome.Failed.class, run(h, h.transcriptionConfig()));
            assertEquals("MALFORMED_SERVER_EVENT", outcome.classification().reason());
            assertTrue(outcome.classification().message().contains("conversation.item.input_audio_transcription.completed")
                    && outcome.classification().message().contains("item_id"), outcome.classification().message());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldCountAndIgnoreUnknownEvents(Dialect dialect) {
        try (DriverHarness h = new DriverHarness(dialect,
                s -> s.afterSessionUpdated = "{\"type\":\"vendor.telemetry\",\"event_id\":\"e1\",\"cpu\":3}")) {
            SessionOutcome.Completed outcome = assertInstanceOf(SessionOutcome.Completed.class, run(h, h.transcriptionConfig()));
            assertEquals(1, outcome.unknownEvents());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldFailTransientlyOnAnOversizedMessageWithoutExhaustingMemory(Dialect dialect) {
        String huge = "{\"type\":\"vendor.blob\",\"data\":\"" + "x".repeat(20 * 1024 * 1024) + "\"}";
        try (DriverHarness h = new DriverHarness(dialect, s -> s.afterSessionUpdated = huge)) {
            SessionOutcome.Failed outcome = assertInstanceOf(SessionOutcome.Failed.class, run(h, h.transcriptionConfig()));
            assertEquals(FailureClass.TRANSIENT, outcome.classification().failureClass());
            assertEquals("MALFORMED_SERVER_EVENT", outcome.classification().reason());
        }
    }
}
