package dev.streamscribe.topology;

import dev.streamscribe.audio.AudioFileDecoder.RawFormat;
import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.StartPolicy;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.client.SessionPublisher;
import dev.streamscribe.client.SessionSpec;
import dev.streamscribe.client.SessionStream;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DelayedSpeechEngine;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.ChildPipeline;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import dev.streamscribe.testing.TestProducers;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly-once under kill -9: the pipeline runs in a child JVM ({@code streamscribe run}) and is killed with SIGKILL
 * several times at random points during a batch of 100 sessions, each time restarted with the same instance id and
 * state directory. A read_committed consumer then sees exactly one SessionResult per session and exactly one
 * TranscriptionEvent per turn: none lost, none duplicated. (Provider calls are at-least-once: killed attempts run
 * again.)
 */
class KillAndRestartIT {
    private static final Path ROOT = Path.of(System.getProperty("streamscribe.project.dir", "."));
    private static final int SESSIONS = 100;
    private static final int KILLS = 3;

    @TempDir
    Path stateDir;

    @Test
    void shouldWriteEverySessionExactlyOnceThroughRepeatedKills() throws Exception {
        var kafka = SharedInfrastructure.kafka();
        String prefix = "kill-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        // responses of 300 ms keep sessions in flight long enough for kills to land mid-session
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine())
                .withResponseDuration(Duration.ofMillis(300)).withCommittedAudioKept())) {
            Map<String, String> settings = new HashMap<>(Map.of("application.id", prefix + "app",
                    "bootstrap.servers", kafka.bootstrapServers(), "schema.registry.url", SharedInfrastructure.registry().url(),
                    "realtime.url", server.url(Dialect.OPENAI_GA).toString(), "topic.prefix", prefix, "topic.partitions", "3",
                    "state.dir", stateDir.toString(), "operations.port", "0", "instance.id", "worker-1",
                    "realtime.max-concurrent-sessions", "10"));
            var config = ConfigLoader.fromMap(settings, Map.of());
            Topics topics = Topics.create(config.topics(), SharedInfrastructure.registry().client());
            PipelineTopics.prepare(config, topics);
            produce(kafka.bootstrapServers(), topics);
            Random random = new Random(11);
            for (int kill = 0; kill < KILLS; kill++) {
                Process process = launch(settings);
                // kill at a random point of progress, and only while sessions are open at the provider, so each
                // kill lands mid-session
                int progress = server.connectionsAccepted() + 5 + random.nextInt(20);
                Await.until(() -> server.connectionsAccepted() >= progress && server.openSessions() > 0,
                        Duration.ofSeconds(90), "the child pipeline to reach " + progress + " provider connections");
                process.destroyForcibly(); // SIGKILL
                assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            }
            Process last = launch(settings);
            try {
                try (var watcher = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                        topics.sessionResults().name(), topics.sessionResults().valueSerde().deserializer())) {
                    assertEquals(SESSIONS, watcher.awaitKeys(SESSIONS, Duration.ofSeconds(180)).size(),
                            "every session has a result");
                }
                // positive barrier: the last instance stops gracefully, so everything it will ever write is committed
                last.destroy(); // SIGTERM
                assertTrue(last.waitFor(60, TimeUnit.SECONDS), "the last instance stops on SIGTERM");
                Map<String, List<SessionResult>> results = readAll(kafka.bootstrapServers(), topics.sessionResults().name(),
                        topics.sessionResults().valueSerde().deserializer());
                Map<String, List<TranscriptionEvent>> transcriptions = readAll(kafka.bootstrapServers(),
                        topics.transcriptions().name(), topics.transcriptions().valueSerde().deserializer());
                for (int i = 0; i < SESSIONS; i++) {
                    String id = "k-" + i;
                    List<SessionResult> sessionResults = results.getOrDefault(id, List.of());
                    assertEquals(1, sessionResults.size(), "exactly one SessionResult for " + id + ": " + sessionResults);
                    assertEquals(SessionStatus.COMPLETED, sessionResults.getFirst().getStatus());
                    List<TranscriptionEvent> turns = transcriptions.getOrDefault(id, List.of());
                    assertEquals(2, turns.size(), "exactly one TranscriptionEvent per turn of " + id + ": " + turns.size());
                    assertEquals(List.of(0, 1), turns.stream().map(TranscriptionEvent::getTurnIndex).sorted().toList());
                    turns.forEach(t -> assertEquals(TurnStatus.COMPLETED, t.getStatus()));
                }
                int redispatched = server.connectionsAccepted() - SESSIONS;
                System.out.printf("kill -9 x%d: %d sessions exactly once; %d connections beyond one per session%n", KILLS,
                        SESSIONS, redispatched);
                assertTrue(redispatched >= KILLS, "each kill landed while sessions were open: those were dispatched "
                        + "again after the restart (" + redispatched + " extra connections)");
            } finally {
                last.destroy();
                last.waitFor(60, TimeUnit.SECONDS);
                last.destroyForcibly();
            }
        }
    }

    /**
     * Turn checkpoints under kill -9: twenty-turn transcription-only sessions, killed mid-flight three times. Exactly
     * once as above, and the provider receives again only audio that had no committed result at a kill: the local
     * server counts its commits by audio digest (every turn of every session is different audio), and the audio it
     * received more than once is at most, summed over the kills, the audio it had accepted minus the audio of turns
     * with a committed TranscriptionEvent at that moment. Resending whole sessions also re-sends the finished turns
     * of the sessions in flight, which that sum does not allow for.
     */
    @Test
    void aKilledInstanceResumesEachSessionAtItsUnfinishedTurns() throws Exception {
        var kafka = SharedInfrastructure.kafka();
        String prefix = "kill-turns-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        int sessions = 30;
        int turnsPerSession = 20;
        // transcripts take 150 ms: sessions stay at the provider long enough for kills to land mid-session
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(
                new DelayedSpeechEngine(new DeterministicSpeechEngine(), Duration.ofMillis(150))).withCommittedAudioKept())) {
            Map<String, String> settings = new HashMap<>(Map.of("application.id", prefix + "app",
                    "bootstrap.servers", kafka.bootstrapServers(), "schema.registry.url", SharedInfrastructure.registry().url(),
                    "realtime.url", server.url(Dialect.OPENAI_GA).toString(), "topic.prefix", prefix, "topic.partitions", "3",
                    "state.dir", stateDir.toString(), "operations.port", "0", "instance.id", "worker-1",
                    "realtime.max-concurrent-sessions", "10"));
            var config = ConfigLoader.fromMap(settings, Map.of());
            Topics topics = Topics.create(config.topics(), SharedInfrastructure.registry().client());
            PipelineTopics.prepare(config, topics);
            Map<String, Object> props = TestProducers.props(kafka.bootstrapServers());
            try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(),
                    topics.sessionConfigs().valueSerde().serializer());
                 var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(),
                         topics.audioChunks().valueSerde().serializer())) {
                for (int i = 0; i < sessions; i++) {
                    String id = "t-" + i;
                    configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), id,
                            TestConfigs.transcription(Dialect.OPENAI_GA, id)));
                    for (int turn = 0; turn < turnsPerSession; turn++) {
                        chunks.send(new ProducerRecord<>(topics.audioChunks().name(), id, AudioChunk.newBuilder()
                                .setSessionId(id).setSeq(turn).setTurnIndex(turn)
                                .setAudio(ByteBuffer.wrap(TestAudio.turnAudio(i, turn, 300))).setEndOfTurn(true)
                                .setEndOfSession(turn == turnsPerSession - 1).build()));
                    }
                }
            }
            Random random = new Random(17);
            long unrecordedAtKillsMs = 0;
            for (int kill = 0; kill < KILLS; kill++) {
                Process process = launch(settings);
                int progress = server.commitsAccepted() + 60 + random.nextInt(60);
                Await.until(() -> server.commitsAccepted() >= progress && server.openSessions() > 0,
                        Duration.ofSeconds(90), "the child pipeline to reach " + progress + " commits at the provider");
                process.destroyForcibly(); // SIGKILL
                assertTrue(process.waitFor(30, TimeUnit.SECONDS));
                // what the provider has received against what is on record: only the difference may be sent again
                long recordedMs = readAll(kafka.bootstrapServers(), topics.transcriptions().name(),
                        topics.transcriptions().valueSerde().deserializer()).values().stream().flatMap(List::stream)
                        .mapToLong(event -> event.getTurnEndMs() - event.getTurnStartMs()).sum();
                unrecordedAtKillsMs += receivedMs(server) - recordedMs;
            }
            Process last = launch(settings);
            try {
                try (var watcher = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                        topics.sessionResults().name(), topics.sessionResults().valueSerde().deserializer())) {
                    assertEquals(sessions, watcher.awaitKeys(sessions, Duration.ofSeconds(180)).size(),
                            "every session has a result");
                }
                last.destroy(); // SIGTERM: a positive barrier, everything it will write is committed
                assertTrue(last.waitFor(60, TimeUnit.SECONDS), "the last instance stops on SIGTERM");
                long reportedResentMs = readAll(kafka.bootstrapServers(), topics.sessionResults().name(),
                        topics.sessionResults().valueSerde().deserializer()).values().stream().flatMap(List::stream)
                        .mapToLong(SessionResult::getAudioResentMs).sum();
                Map<String, List<TranscriptionEvent>> transcriptions = readAll(kafka.bootstrapServers(),
                        topics.transcriptions().name(), topics.transcriptions().valueSerde().deserializer());
                for (int i = 0; i < sessions; i++) {
                    List<TranscriptionEvent> turns = transcriptions.getOrDefault("t-" + i, List.of());
                    assertEquals(IntStream.range(0, turnsPerSession).boxed().toList(),
                            turns.stream().map(TranscriptionEvent::getTurnIndex).sorted().toList(),
                            "exactly one TranscriptionEvent per turn of t-" + i);
                }
                Map<String, LocalRealtimeServer.CommittedAudio> received = server.committedAudio();
                assertEquals(sessions * turnsPerSession, received.size(), "every turn's audio reached the provider");
                long distinctMs = received.values().stream().mapToLong(LocalRealtimeServer.CommittedAudio::millis).sum();
                long receivedMs = receivedMs(server);
                long receivedAgainMs = receivedMs - distinctMs;
                System.out.printf("kill -9 x%d, %d sessions of %d turns: the provider received %d ms of audio for %d ms "
                        + "distinct (ratio %.2f; %d commits); the results report %d ms sent again%n", KILLS, sessions,
                        turnsPerSession, receivedMs, distinctMs, receivedMs / (double) distinctMs, server.commitsAccepted(),
                        reportedResentMs);
                assertTrue(receivedAgainMs <= unrecordedAtKillsMs, receivedAgainMs + " ms of audio were received again, "
                        + "more than the " + unrecordedAtKillsMs + " ms the provider had received without a committed "
                        + "result at the kills: finished turns were re-sent");
                assertTrue(receivedAgainMs == 0 || reportedResentMs > 0, "re-sent audio is visible in the results");
            } finally {
                last.destroy();
                last.waitFor(60, TimeUnit.SECONDS);
                last.destroyForcibly();
            }
        }
    }

    /** Audio the local server accepted in commits, counting each commit (ms). */
    /**
     * A live session (start AT_FIRST_TURN) killed with a turn at the provider: the restarted instance sends that turn
     * again and the turn that completed while it was down, never the turns that already had their events. Each turn's
     * audio has its own length, so the server's commits per length are commits per turn.
     */
    @Test
    void aKilledLiveSessionResumesWithoutSendingItsFinishedTurnsAgain() throws Exception {
        var kafka = SharedInfrastructure.kafka();
        String prefix = "kill-live-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        // transcripts take 1.5 s: the kill lands while turn 2 is at the provider
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(
                new DelayedSpeechEngine(new DeterministicSpeechEngine(), Duration.ofMillis(1_500))).withCommittedAudioKept())) {
            Map<String, String> settings = new HashMap<>(Map.of("application.id", prefix + "app",
                    "bootstrap.servers", kafka.bootstrapServers(), "schema.registry.url", SharedInfrastructure.registry().url(),
                    "realtime.url", server.url(Dialect.OPENAI_GA).toString(), "topic.prefix", prefix, "topic.partitions", "1",
                    "state.dir", stateDir.toString(), "operations.port", "0", "instance.id", "worker-1"));
            var config = ConfigLoader.fromMap(settings, Map.of());
            Topics topics = Topics.create(config.topics(), SharedInfrastructure.registry().client());
            PipelineTopics.prepare(config, topics);
            Process first = launch(settings);
            Process restarted = null;
            try (SessionPublisher publisher = SessionPublisher.connect(config);
                 var events = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                         topics.transcriptions().name(), topics.transcriptions().valueSerde().deserializer())) {
                SessionStream call = publisher.open(SessionSpec.builder("call")
                        .config(TestConfigs.transcription(Dialect.OPENAI_GA, "call")).start(StartPolicy.AT_FIRST_TURN)
                        .build());
                for (int turn = 0; turn < 2; turn++) {
                    call.append(TestAudio.turnAudio(turn, liveTurnMs(turn)), RawFormat.pcm16Mono24k());
                    call.endTurn();
                    int expected = turn + 1;
                    events.awaitUntil(seen -> seen.getOrDefault("call", List.of()).size() >= expected,
                            Duration.ofSeconds(90));
                }
                call.append(TestAudio.turnAudio(2, liveTurnMs(2)), RawFormat.pcm16Mono24k());
                call.endTurn();
                Await.until(() -> server.commitsAccepted() >= 3, Duration.ofSeconds(60), "turn 2 at the provider");
                first.destroyForcibly(); // SIGKILL, with turn 2's transcript still to come
                assertTrue(first.waitFor(30, TimeUnit.SECONDS));
                assertEquals(2, events.readToEnd().get("call").size(), "turn 2 had no event when the instance died");
                call.append(TestAudio.turnAudio(3, liveTurnMs(3)), RawFormat.pcm16Mono24k());
                call.endTurn(); // completes while no instance runs
                call.end();

                restarted = launch(settings);
                try (var results = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers",
                        kafka.bootstrapServers()), topics.sessionResults().name(),
                        topics.sessionResults().valueSerde().deserializer())) {
                    SessionResult result = results.awaitKeys(1, Duration.ofSeconds(120)).get("call").getFirst();
                    assertEquals(SessionStatus.COMPLETED, result.getStatus(), result.toString());
                    assertEquals(4, result.getTurnsCompleted());
                    assertEquals(1, result.getAttempt(), "a crash spends no attempt");
                }
                restarted.destroy(); // SIGTERM: a positive barrier, everything it will write is committed
                assertTrue(restarted.waitFor(60, TimeUnit.SECONDS), "the restarted instance stops on SIGTERM");
                List<TranscriptionEvent> written = readAll(kafka.bootstrapServers(), topics.transcriptions().name(),
                        topics.transcriptions().valueSerde().deserializer()).get("call");
                assertEquals(List.of(0, 1, 2, 3), written.stream().map(TranscriptionEvent::getTurnIndex).sorted().toList(),
                        "exactly one TranscriptionEvent per turn");
                Map<Long, Integer> commitsByTurnMs = new HashMap<>();
                server.committedAudio().values().forEach(audio -> commitsByTurnMs.merge(audio.millis(), audio.commits(),
                        Integer::sum));
                assertEquals(1, commitsByTurnMs.get((long) liveTurnMs(0)), "turn 0 had its event: not sent again");
                assertEquals(1, commitsByTurnMs.get((long) liveTurnMs(1)), "turn 1 had its event: not sent again");
                assertEquals(2, commitsByTurnMs.get((long) liveTurnMs(2)), "turn 2 was at the provider: sent again");
                assertEquals(1, commitsByTurnMs.get((long) liveTurnMs(3)), "turn 3 completed meanwhile: sent once");
            } finally {
                first.destroyForcibly();
                if (restarted != null) {
                    restarted.destroyForcibly();
                }
            }
        }
    }

    /** Each turn of the live session has its own length. */
    private static int liveTurnMs(int turn) {
        return 600 + 100 * turn;
    }

    private static long receivedMs(LocalRealtimeServer server) {
        return server.committedAudio().values().stream().mapToLong(audio -> audio.commits() * audio.millis()).sum();
    }

    private static Process launch(Map<String, String> settings) throws Exception {
        return ChildPipeline.launch(settings, "-Xmx512m");
    }

    private static void produce(String bootstrap, Topics topics) {
        Map<String, Object> props = TestProducers.props(bootstrap);
        try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(), topics.sessionConfigs().valueSerde().serializer());
             var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(), topics.audioChunks().valueSerde().serializer())) {
            for (int i = 0; i < SESSIONS; i++) {
                String id = "k-" + i;
                configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), id, TestConfigs.withResponses(Dialect.OPENAI_GA, id)));
                for (int turn = 0; turn < 2; turn++) {
                    chunks.send(new ProducerRecord<>(topics.audioChunks().name(), id, AudioChunk.newBuilder().setSessionId(id)
                            .setSeq(turn).setTurnIndex(turn).setAudio(ByteBuffer.wrap(TestAudio.turnAudio(turn, 400 + 100L * turn)))
                            .setEndOfTurn(true).setEndOfSession(turn == 1).build()));
                }
            }
        }
    }

    private static <V> Map<String, List<V>> readAll(String bootstrap, String topic, Deserializer<V> values) {
        try (var watcher = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", bootstrap), topic, values)) {
            return watcher.readToEnd();
        }
    }
}
