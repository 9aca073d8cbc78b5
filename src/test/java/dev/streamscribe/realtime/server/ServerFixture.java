package dev.streamscribe.realtime.server;

import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.RealtimeEndpoint;
import dev.streamscribe.realtime.driver.DriverSettings;
import dev.streamscribe.realtime.driver.RealtimeSessionDriver;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.transport.JettyWebSocketTransport;
import dev.streamscribe.testing.ListAudioPublisher;
import dev.streamscribe.testing.TestAudio;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A local realtime server plus a driver pointed at it. */
final class ServerFixture implements AutoCloseable {
    static final int CHUNK = 24_000;
    final LocalRealtimeServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final JettyWebSocketTransport transport = new JettyWebSocketTransport(Duration.ofSeconds(5), 16 * 1024 * 1024);
    DriverSettings settings = new DriverSettings(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(55));

    ServerFixture(LocalRealtimeServer.Options options) {
        server = LocalRealtimeServer.start(options);
    }

    ServerFixture() {
        this(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()));
    }

    RealtimeSessionDriver driver(Dialect dialect) {
        return new RealtimeSessionDriver(new RealtimeEndpoint(dialect, server.url(dialect), Optional.empty()),
                transport, settings, executor, timer);
    }

    CompletableFuture<SessionOutcome> start(Dialect dialect, SessionConfig config, long... turns) {
        SessionRequest request = TestAudio.request(config, turns);
        return driver(dialect).run(request, new ListAudioPublisher(TestAudio.pieces(CHUNK, turns)));
    }

    SessionOutcome run(Dialect dialect, SessionConfig config, long... turns) {
        try {
            return start(dialect, config, turns).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the driver did not finish: " + e, e);
        }
    }

    /** What the deterministic engine says for turn {@code turn} of {@code millis} ms of TestAudio. */
    static String expectedTranscript(int turn, long millis) {
        return DeterministicSpeechEngine.transcriptOf(new SpeechInput(TestAudio.turnAudio(turn, millis), AudioEncoding.PCM16,
                "any", Optional.empty(), Optional.empty()));
    }

    @Override
    public void close() {
        server.close();
        transport.close();
        executor.shutdownNow();
        timer.shutdownNow();
    }
}
