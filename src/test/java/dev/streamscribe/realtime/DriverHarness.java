package dev.streamscribe.realtime;

import dev.streamscribe.avro.OutputModality;
import dev.streamscribe.avro.ResponseRequest;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.realtime.driver.AudioPiece;
import dev.streamscribe.realtime.driver.DriverSettings;
import dev.streamscribe.realtime.driver.RealtimeSessionDriver;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.driver.TurnSpec;
import dev.streamscribe.realtime.transport.JdkWebSocketTransport;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
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

    RealtimeSessionDriver driver() {
        return new RealtimeSessionDriver(endpoint(), new JdkWebSocketTransport(Duration.ofSeconds(5), 16 * 1024 * 1024),
                settings, executor, timer);
    }

    SessionOutcome run(SessionRequest request, ListAudioPublisher audio) {
        try {
            return driver().run(request, audio).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the driver did not finish: " + e, e);
        }
    }

    /** A transcription-only config (plus a model for the beta dialect, which has conversation sessions only). */
    SessionConfig transcriptionConfig() {
        return SessionConfig.newBuilder().setSessionId("s-1").setRunToken("run-1")
                .setModel(dialect == Dialect.OPENAI_BETA ? "gpt-4o-realtime-preview" : null)
                .setTranscription(TranscriptionSettings.newBuilder().setModel("gpt-4o-transcribe").setLanguage("en").build())
                .build();
    }

    SessionConfig responseConfig() {
        SessionConfig config = transcriptionConfig();
        config.setModel(dialect == Dialect.OPENAI_BETA ? "gpt-4o-realtime-preview" : "gpt-realtime");
        config.setInstructions("Answer in one sentence.");
        config.setResponse(ResponseRequest.newBuilder().setOutputModality(OutputModality.TEXT).setMaxOutputTokens(200).build());
        return config;
    }

    static SessionRequest request(SessionConfig config, long... turnMillis) {
        List<TurnSpec> turns = new ArrayList<>();
        long start = 0;
        for (int i = 0; i < turnMillis.length; i++) {
            turns.add(new TurnSpec(i, start, start + turnMillis[i], SessionRequest.respondsTo(config, i)));
            start += turnMillis[i];
        }
        return new SessionRequest(config.getSessionId(), config.getRunToken(), 1, config, turns);
    }

    /** Deterministic pcm16 bytes for a turn: 48 bytes per millisecond. */
    static byte[] turnAudio(int turn, long millis) {
        byte[] audio = new byte[(int) (millis * 48)];
        new Random(1000L + turn).nextBytes(audio);
        return audio;
    }

    /** The pieces of every turn, each turn split into chunks of at most {@code chunkBytes}. */
    static List<AudioPiece> pieces(int chunkBytes, long... turnMillis) {
        List<AudioPiece> pieces = new ArrayList<>();
        for (int turn = 0; turn < turnMillis.length; turn++) {
            byte[] audio = turnAudio(turn, turnMillis[turn]);
            for (int offset = 0; offset < audio.length; offset += chunkBytes) {
                int length = Math.min(chunkBytes, audio.length - offset);
                pieces.add(new AudioPiece(turn, ByteBuffer.wrap(audio, offset, length).slice(),
                        offset + length >= audio.length));
            }
        }
        return pieces;
    }

    @Override
    public void close() {
        peer.close();
        executor.shutdownNow();
        timer.shutdownNow();
    }
}
