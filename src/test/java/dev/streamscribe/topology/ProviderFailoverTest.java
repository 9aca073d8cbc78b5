package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.config.ProviderDefinition;
import dev.streamscribe.cost.PriceTable;
import dev.streamscribe.cost.Pricing;
import dev.streamscribe.cost.SpendLedger;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.driver.Classification;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.TurnResult;
import dev.streamscribe.realtime.driver.TurnSpec;
import dev.streamscribe.testing.TestConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two providers on TopologyTestDriver: a session goes to the highest-priority one that can take it, one whose model
 * only the other serves goes there under that provider's name for it, and a session that fails over resumes at its
 * unfinished turns, its records naming the provider of each turn.
 */
class ProviderFailoverTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path stateDir;
    private final List<RecordingLauncher.Launch> launches = new ArrayList<>();
    private TopologyHarness harness;
    private AdmissionGate gate;

    private static TurnResult done(TurnSpec turn) {
        return new TurnResult(turn.turnIndex(), TurnStatus.COMPLETED, Optional.empty(), "words", turn.startMs(),
                turn.endMs(), Optional.of("item_" + turn.turnIndex()), Optional.empty(), List.of(), Optional.empty(),
                Optional.empty());
    }

    private static ProviderDefinition definition(String name, int priority, Map<String, String> models) {
        return new ProviderDefinition(name, Dialect.OPENAI_GA, URI.create("ws://127.0.0.1:1/" + name), Optional.empty(),
                2, priority, models, "openai", false);
    }

    @BeforeEach
    void start() {
        PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
        List<ProviderDefinition> pool = List.of(definition("primary", 1, Map.of("gpt-4o-transcribe", "gpt-4o-transcribe")),
                definition("backup", 0, Map.of("gpt-4o-transcribe", "backup-transcribe", "whisper-1", "whisper-1")));
        List<ProviderGate> gates = new ArrayList<>();
        List<ProviderRoutes.Route> routes = new ArrayList<>();
        for (ProviderDefinition provider : pool) {
            gates.add(new ProviderGate(provider.name(), provider.maxConcurrentSessions(),
                    new ProviderBreaker(ProviderBreaker.Settings.DEFAULTS), Duration.ofHours(1), metrics));
            routes.add(new ProviderRoutes.Route(provider, new RecordingLauncher(provider.name(), launches), new ServedBy(provider.name(),
                    "openai-ga", new Pricing(PriceTable.bundled(), "openai"))));
        }
        gate = new AdmissionGate(gates, AdmissionGate.LiveShare.DEFAULTS, SpendLedger.UNTRACKED);
        DispatchServices services = DispatchServices.create(gate, new ProviderRoutes(routes),
                new RetryPolicy(3, Duration.ofSeconds(1)), metrics);
        harness = new TopologyHarness(stateDir, new AssemblerSettings(Duration.ofMinutes(10),
                Duration.ofSeconds(5), Duration.ofSeconds(1), Dialect.OPENAI_GA).withProviders(pool), services, T0);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private void tick(Duration by) {
        harness.driver.advanceWallClockTime(by);
    }

    private void publish(SessionConfig config, int turns) {
        String session = config.getSessionId();
        harness.configs.pipeInput(session, config);
        for (int turn = 0; turn < turns; turn++) {
            harness.chunks.pipeInput(session, AudioChunk.newBuilder().setSessionId(session).setSeq(turn).setTurnIndex(turn)
                    .setAudio(ByteBuffer.wrap(new byte[9_600])).setEndOfTurn(true).setEndOfSession(turn == turns - 1)
                    .build());
        }
        tick(TranscribeTopology.DISPATCH_EVERY);
    }

    @Test
    void aSessionGoesToTheHighestPriorityProvider() {
        publish(TestConfigs.transcription(Dialect.OPENAI_GA, "s1"), 1);
        assertEquals("primary", launches.getFirst().provider());
    }

    @Test
    void aSessionWhoseModelOnlyTheBackupServesNeverGoesToThePrimary() {
        SessionConfig config = TestConfigs.transcription(Dialect.OPENAI_GA, "s1");
        config.getTranscription().setModel("whisper-1");
        publish(config, 1);
        assertEquals("backup", launches.getFirst().provider(), "the primary, free and first, does not serve whisper-1");
    }

    @Test
    void aSessionThatNamesTheBackupGoesThereUnderItsNameForTheModel() {
        SessionConfig config = TestConfigs.transcription(Dialect.OPENAI_GA, "s1");
        config.setProvider("backup");
        publish(config, 1);
        RecordingLauncher.Launch launch = launches.getFirst();
        assertEquals("backup", launch.provider());
        assertEquals("backup-transcribe", launch.request().config().getTranscription().getModel());
    }

    @Test
    void aSessionThatFailsOverResumesAtItsUnfinishedTurnsAndItsRecordsNameEachTurnsProvider() {
        publish(TestConfigs.transcription(Dialect.OPENAI_GA, "s1"), 3);
        RecordingLauncher.Launch first = launches.getFirst();
        assertEquals("primary", first.provider());
        first.turnFinished(done(first.request().turns().getFirst()));
        tick(TranscribeTopology.DRAIN_EVERY);
        // the primary runs out of quota mid-session: the retry goes to the backup
        gate.provider("primary").quotaExhausted(System.currentTimeMillis());
        first.outcome().complete(new SessionOutcome.Failed(Classification.transientFailure("PROVIDER_ERROR",
                "server_error"), List.of("sess_1")));
        tick(TranscribeTopology.DRAIN_EVERY);
        tick(Duration.ofSeconds(3)); // past the retry's backoff
        tick(TranscribeTopology.DISPATCH_EVERY);
        assertEquals(2, launches.size(), launches.toString());
        RecordingLauncher.Launch second = launches.get(1);
        assertEquals("backup", second.provider());
        assertEquals(List.of(1, 2), second.request().turns().stream().map(TurnSpec::turnIndex).toList(),
                "only the unfinished turns");
        second.outcome().complete(new SessionOutcome.Completed(second.request().turns().stream()
                .map(ProviderFailoverTest::done).toList(), List.of(), List.of("sess_2"), 0, 0));
        tick(TranscribeTopology.DRAIN_EVERY);
        List<TranscriptionEvent> events = harness.transcriptions.readValuesToList();
        assertEquals(List.of("0 primary gpt-4o-transcribe", "1 backup backup-transcribe", "2 backup backup-transcribe"),
                events.stream().map(e -> e.getTurnIndex() + " " + e.getProvider() + " " + e.getTranscriptionModel())
                        .sorted().toList());
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.COMPLETED, result.getStatus());
        assertTrue(result.getConnections() >= 2);
    }

    @Test
    void aConfigNoProviderCanServeFailsWithEveryProvidersReason() {
        SessionConfig config = TestConfigs.transcription(Dialect.OPENAI_GA, "s1");
        config.setProvider("elsewhere");
        publish(config, 1);
        assertTrue(launches.isEmpty());
        SessionResult result = harness.results.readValue();
        assertEquals("CONFIG_INVALID", result.getReason());
        assertTrue(result.getMessage().contains("names provider 'elsewhere'"), result.getMessage());
    }
}
