package dev.streamscribe.realtime;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.driver.AudioPiece;
import dev.streamscribe.realtime.driver.DriverSettings;
import dev.streamscribe.realtime.driver.RealtimeSessionDriver;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.event.RateLimit;
import dev.streamscribe.realtime.transport.JettyWebSocketTransport;
import dev.streamscribe.testing.ListAudioPublisher;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A driver wired to a scripted peer over real WebSockets on 127.0.0.1, plus helpers to make sessions and audio. */
final class DriverHarness implements AutoCloseable {
    static final String PATH_OPENAI = "/v1/realtime";
    static final String PATH_INWORLD = "/api/v1/realtime/session";

    final Dialect dialect;
    final ScriptedRealtimePeer peer;
    final List<ProviderScript> scripts = new ArrayList<>();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final JettyWebSocketTransport transport = new JettyWebSocketTransport(Duration.ofSeconds(5), 16 * 1024 * 1024);
    DriverSettings settings = new DriverSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(55));
    Optional<ApiKey> apiKey = Optional.of(ApiKey.of("sk-test-not-a-real-key-0123456789", "test"));

    DriverHarness(Dialect dialect, Consumer<ProviderScript> configure) {
        this.dialect = dialect;
        this.peer = ScriptedRealtimePeer.start(() -> {
            ProviderScript script = new ProviderScript(dialect);
            configure.accept(script);
            scripts.add(script);
            return script;
        });
    }

    RealtimeEndpoint endpoint() {
        return new RealtimeEndpoint(dialect, peer.url(dialect == Dialect.INWORLD ? PATH_INWORLD : PATH_OPENAI), apiKey);
    }

    final List<RateLimit> rateLimitsSeen = new CopyOnWriteArrayList<>();

    RealtimeSessionDriver driver() {
        return new RealtimeSessionDriver(endpoint(), transport, settings, executor, timer, rateLimitsSeen::addAll);
    }

    SessionOutcome run(SessionRequest request, ListAudioPublisher audio) {
        try {
            return driver().run(request, audio).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the driver did not finish: " + e, e);
        }
    }

    SessionConfig transcriptionConfig() {
        return TestConfigs.transcription(dialect, "s-1");
    }

    SessionConfig responseConfig() {
        return TestConfigs.withResponses(dialect, "s-1");
    }

    static SessionRequest request(SessionConfig config, long... turnMillis) {
        return TestAudio.request(config, turnMillis);
    }

    static byte[] turnAudio(int turn, long millis) {
        return TestAudio.turnAudio(turn, millis);
    }

    static List<AudioPiece> pieces(int chunkBytes, long... turnMillis) {
        return TestAudio.pieces(chunkBytes, turnMillis);
    }

    @Override
    public void close() {
        peer.close();
        transport.close();
        executor.shutdownNow();
        timer.shutdownNow();
    }
}
