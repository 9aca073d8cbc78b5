package dev.streamscribe.client;

import dev.streamscribe.audio.AudioFileDecoder.RawFormat;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.StartPolicy;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.realtime.server.SpeechEngine;
import dev.streamscribe.realtime.server.SpeechInput;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.Cli;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import dev.streamscribe.topology.StreamscribePipeline;
import dev.streamscribe.topology.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live sessions (start AT_FIRST_TURN) through the producer API, a real broker and registry, the pipeline and the local
 * server: each turn is transcribed while the session's later audio does not exist yet; live turns are served while
 * batch sessions hold the other slots; a live session whose producer goes quiet expires with its finished turns kept.
 */
class LiveSessionIT {
    private static final RawFormat OWN = RawFormat.pcm16Mono24k();

    @TempDir
    Path stateDir;
    /** The settings of the pipeline the test started (for commands run against it). */
    private Map<String, String> settings = Map.of();

    /** The local server, a pipeline against it, watchers of its outputs and a publisher: what every test runs on. */
    private record Running(LocalRealtimeServer server, StreamscribePipeline pipeline,
                           TopicWatcher<TranscriptionEvent> transcriptions, TopicWatcher<SessionResult> results,
                           SessionPublisher publisher) implements AutoCloseable {
        @Override
        public void close() {
            publisher.close();
            results.close();
            transcriptions.close();
            pipeline.close();
            server.close();
        }
    }

    private Running start(Dialect dialect, Map<String, String> more) {
        return start(dialect, more, new DeterministicSpeechEngine());
    }

    private Running start(Dialect dialect, Map<String, String> more, SpeechEngine engine) {
        LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(engine));
        String prefix = "live-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Map<String, String> all = new HashMap<>(Map.of("application.id", prefix + "app",
                "bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers(),
                "schema.registry.url", SharedInfrastructure.registry().url(),
                "realtime.url", server.url(dialect).toString(), "realtime.dialect", dialect.id(),
                "topic.prefix", prefix, "topic.partitions", "1", "state.dir", stateDir.toString(),
                "operations.port", "0"));
        all.putAll(more);
        settings = all;
        PipelineConfig config = ConfigLoader.fromMap(all, Map.of());
        StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of());
        Map<String, Object> clients = Map.of("bootstrap.servers", config.kafka().bootstrapServers());
        Topics topics = pipeline.topics();
        return new Running(server, pipeline, new TopicWatcher<>(clients, topics.transcriptions().name(),
                topics.transcriptions().valueSerde().deserializer()), new TopicWatcher<>(clients,
                topics.sessionResults().name(), topics.sessionResults().valueSerde().deserializer()),
                SessionPublisher.connect(config));
    }

    private static SessionResult resultOf(Running running, String sessionId) {
        return running.results().awaitUntil(seen -> seen.containsKey(sessionId), Duration.ofSeconds(60))
                .get(sessionId).getFirst();
    }

    private static SessionSpec live(Dialect dialect, String sessionId) {
        return SessionSpec.builder(sessionId).config(TestConfigs.transcription(dialect, sessionId))
                .start(StartPolicy.AT_FIRST_TURN).chunkBytes(16 * 1024).build();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void eachTurnIsTranscribedBeforeTheNextTurnsAudioIsPublished(Dialect dialect) throws Exception {
        try (Running running = start(dialect, Map.of());
             SessionStream call = running.publisher().open(live(dialect, "call"))) {
            for (int turn = 0; turn < 3; turn++) {
                call.append(TestAudio.turnAudio(turn, 700 + 100 * turn), OWN);
                call.endTurn();
                int expected = turn + 1;
                running.transcriptions().awaitUntil(
                        seen -> seen.getOrDefault("call", List.of()).size() >= expected, Duration.ofSeconds(60));
            }
            PublishedSession published = call.end();
            assertEquals(3, published.turns());
            SessionResult result = resultOf(running, "call");
            assertEquals(SessionStatus.COMPLETED, result.getStatus(), result.toString());
            assertEquals(3, result.getTurnsCompleted());
            assertEquals(1, result.getAttempt(), "waiting for the next turn spends no attempt");
            assertEquals(1, result.getConnections(), "turns 1 and 2 went on the connection turn 0 opened");
            List<TranscriptionEvent> events = running.transcriptions().readToEnd().get("call");
            assertEquals(List.of(0, 1, 2), events.stream().map(TranscriptionEvent::getTurnIndex).sorted().toList(),
                    "every turn exactly once");
            assertEquals(published.runToken(), result.getRunToken());
            assertEquals(0, running.pipeline().threadReplacements());
        }
    }

    @Test
    void anIdleLiveConnectionClosesAndTheNextTurnReopensOneWithoutSpendingAnAttempt() throws Exception {
        try (Running running = start(Dialect.OPENAI_GA, Map.of("realtime.live-idle-close-ms", "300"));
             SessionStream call = running.publisher().open(live(Dialect.OPENAI_GA, "pause"))) {
            call.append(TestAudio.turnAudio(0, 800), OWN);
            call.endTurn();
            running.transcriptions().awaitUntil(seen -> seen.containsKey("pause"), Duration.ofSeconds(60));
            List<String> statusArgs = new java.util.ArrayList<>(List.of("status", "--json", "--config",
                    "topologies/transcribe.properties"));
            settings.forEach((key, value) -> statusArgs.addAll(List.of("--set", key + "=" + value)));
            Await.until(() -> {
                Cli.Result status = Cli.run(statusArgs.toArray(String[]::new));
                return status.out().contains("\"live\":1") && status.out().contains("live_longest_without_input_ms");
            }, Duration.ofSeconds(30), "status counts the live session");
            int opened = running.server().connectionsAccepted();
            Await.until(() -> running.server().openSessions() == 0, Duration.ofSeconds(30),
                    "the live connection closes after 300 ms without a turn");
            call.append(TestAudio.turnAudio(1, 800), OWN);
            call.endTurn();
            call.end();
            SessionResult result = resultOf(running, "pause");
            assertEquals(SessionStatus.COMPLETED, result.getStatus(), result.toString());
            assertEquals(2, result.getTurnsCompleted());
            assertEquals(2, result.getConnections(), "closed when idle, reopened for turn 1");
            assertEquals(1, result.getAttempt(), "an idle close and reopen is no attempt");
            assertTrue(running.server().connectionsAccepted() > opened, "a new connection for turn 1");
            assertEquals(0, running.pipeline().threadReplacements());
        }
    }

    /** Batch sessions' turns are this long: the engine holds their transcriptions until the test lets them go. */
    private static final int HELD_TURN_MS = 1_500;

    @Test
    void liveTurnsAreServedWhileBatchSessionsHoldTheOtherSlots() throws Exception {
        CompletableFuture<Void> releaseBatch = new CompletableFuture<>();
        SpeechEngine holdsBatch = new SpeechEngine() {
            private final DeterministicSpeechEngine words = new DeterministicSpeechEngine();

            @Override
            public String name() {
                return "holds-batch";
            }

            @Override
            public CompletableFuture<String> transcribe(SpeechInput input) {
                return input.durationMs() == HELD_TURN_MS
                        ? releaseBatch.thenCompose(released -> words.transcribe(input)) : words.transcribe(input);
            }
        };
        // three slots, one kept while the live session waits without a connection (closed 300 ms after each turn)
        try (Running running = start(Dialect.OPENAI_GA, Map.of("realtime.max-concurrent-sessions", "3",
                "realtime.live-reserved-sessions", "1", "realtime.live-idle-close-ms", "300"), holdsBatch)) {
            SessionStream call = running.publisher().open(live(Dialect.OPENAI_GA, "call"));
            call.append(TestAudio.turnAudio(0, 800), OWN);
            call.endTurn();
            running.transcriptions().awaitUntil(seen -> seen.containsKey("call"), Duration.ofSeconds(60));

            for (int n = 0; n < 4; n++) {
                try (SessionStream batch = running.publisher().open(SessionSpec.builder("batch-" + n)
                        .config(TestConfigs.transcription(Dialect.OPENAI_GA, "batch-" + n)).build())) {
                    batch.append(TestAudio.turnAudio(n, HELD_TURN_MS), OWN);
                    batch.end();
                }
            }
            PipelineMetrics metrics = running.pipeline().metrics();
            Await.until(() -> liveSessions(metrics, "waiting") == 1 && running.pipeline().inFlight() == 2,
                    Duration.ofSeconds(60), "two batch sessions at the provider, the live one waiting for its turn");

            call.append(TestAudio.turnAudio(1, 800), OWN);
            call.endTurn();
            running.transcriptions().awaitUntil(seen -> seen.getOrDefault("call", List.of()).size() >= 2,
                    Duration.ofSeconds(60));
            assertFalse(releaseBatch.isDone());
            assertEquals(Set.of(), running.results().readToEnd().keySet(), "no batch session has finished");
            call.end();
            assertEquals(SessionStatus.COMPLETED, resultOf(running, "call").getStatus());

            releaseBatch.complete(null);
            for (int n = 0; n < 4; n++) {
                assertEquals(SessionStatus.COMPLETED, resultOf(running, "batch-" + n).getStatus());
            }
        }
    }

    private static double liveSessions(PipelineMetrics metrics, String state) {
        return metrics.registry().get(PipelineMetrics.LIVE_SESSIONS).tag("state", state).gauge().value();
    }

    @Test
    void aLiveSessionAbortedMidCallEndsAtOnceWithItsFinishedTurnsKept() throws Exception {
        try (Running running = start(Dialect.OPENAI_GA, Map.of())) { // idle timeout: 10 minutes
            SessionStream call = running.publisher().open(live(Dialect.OPENAI_GA, "dropped"));
            call.append(TestAudio.turnAudio(0, 800), OWN);
            call.endTurn();
            running.transcriptions().awaitUntil(seen -> seen.containsKey("dropped"), Duration.ofSeconds(60));
            call.append(TestAudio.turnAudio(1, 800), OWN);
            call.endTurn(); // turn 1 goes to the provider, and the call drops
            call.abort("the caller hung up");

            SessionResult result = resultOf(running, "dropped");
            assertEquals(SessionStatus.EXPIRED, result.getStatus(), result.toString());
            assertEquals("ABORTED", result.getReason(), result.toString());
            assertTrue(result.getMessage().contains("the caller hung up"), result.getMessage());
            assertEquals(0, running.transcriptions().readToEnd().get("dropped").getFirst().getTurnIndex(),
                    "turn 0 kept");
            assertEquals(0, running.pipeline().threadReplacements(),
                    "whenever the abort came, no stream thread failed on it");
        }
    }

    @Test
    void aLiveSessionWhoseProducerGoesQuietExpiresWithItsFinishedTurnsKept() throws Exception {
        // the connection waits 300 ms for the next turn, then the session 2 s for input
        try (Running running = start(Dialect.OPENAI_GA, Map.of("session.idle-timeout-ms", "2000",
                "realtime.live-idle-close-ms", "300"))) {
            SessionStream call = running.publisher().open(live(Dialect.OPENAI_GA, "quiet"));
            call.append(TestAudio.turnAudio(0, 800), OWN);
            call.endTurn();
            call.append(TestAudio.turnAudio(1, 1_000), OWN); // a turn that never ends: the producer went away
            running.transcriptions().awaitUntil(seen -> seen.containsKey("quiet"), Duration.ofSeconds(60));

            SessionResult result = resultOf(running, "quiet");
            assertEquals(SessionStatus.EXPIRED, result.getStatus(), result.toString());
            assertEquals("NO_END", result.getReason());
            assertTrue(result.getMessage().contains("1 turn(s) with a result stand"), result.getMessage());
            assertEquals(1, running.transcriptions().readToEnd().get("quiet").size(), "turn 0 kept, once");
        }
    }
}
