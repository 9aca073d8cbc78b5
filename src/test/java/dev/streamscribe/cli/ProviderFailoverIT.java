package dev.streamscribe.cli;

import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.FaultPlan;
import dev.streamscribe.realtime.server.FaultPlans;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.results.TopicReader;
import dev.streamscribe.testing.Cli;
import dev.streamscribe.testing.TestWavs;
import dev.streamscribe.testing.TestWavs.Tone;
import dev.streamscribe.topology.PipelineTopics;
import dev.streamscribe.topology.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two local realtime servers as one pipeline's providers, on the real broker and registry: the primary serves two
 * sessions, then refuses every further connection (503, as a provider in an outage); its breaker opens, the session
 * it refused waits without spending an attempt, and every session completes on the backup, each turn's record naming
 * the provider that served it.
 */
class ProviderFailoverIT {
    private static final String NAME = "failover-it";

    @TempDir
    Path dir;

    @Test
    void everySessionCompletesOnTheBackupOnceThePrimaryFailsMidBatchEachTurnNamingItsProvider() throws Exception {
        FaultPlans refuseAfterTwo = new FaultPlans(FaultPlan.NONE.withRefuseUpgradeStatus(503),
                Map.of(1, FaultPlan.NONE, 2, FaultPlan.NONE));
        try (LocalRealtimeServer primary = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(
                new DeterministicSpeechEngine()).withFaults(refuseAfterTwo));
             LocalRealtimeServer backup = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(
                     new DeterministicSpeechEngine()))) {
            List<String> flags = new ArrayList<>(Cli.pipelineFlags(NAME, dir.resolve("state"),
                    primary.url(Dialect.OPENAI_GA).toString()));
            for (String setting : List.of("realtime.provider-name=primary", "realtime.max-concurrent-sessions=1",
                    "providers.backup.url=" + backup.url(Dialect.OPENAI_GA), "providers.backup.priority=-1",
                    "providers.backup.max-concurrent-sessions=2", "provider.breaker.failures=1",
                    "provider.breaker.pause-ms=600000", "provider.breaker.max-pause-ms=600000",
                    "provider.breaker.grace-ms=500")) {
                flags.addAll(List.of("--set", setting));
            }
            Path recordings = Files.createDirectories(dir.resolve("recordings"));
            for (int i = 0; i < 6; i++) {
                TestWavs.write(recordings.resolve("r" + i + ".wav"), 24_000f, 16, 1, false, 1.5, new Tone(300 + 50 * i, 0.5));
            }
            Cli.Result ingest = Cli.run(Cli.args("ingest", flags, recordings.toString()));
            assertEquals(0, ingest.exitCode(), ingest.toString());

            Cli.Result run = assertTimeoutPreemptively(Duration.ofSeconds(120),
                    () -> Cli.run(Cli.args("run", flags, "--exit-when-drained")));
            assertEquals(0, run.exitCode(), run.toString());

            PipelineConfig config = Cli.pipelineConfig(flags);
            Topics topics = PipelineTopics.connect(config, Map.of());
            List<SessionResult> results = read(config, topics.sessionResults().name(),
                    topics.sessionResults().valueSerde().deserializer());
            assertEquals(6, results.size(), results.toString());
            assertTrue(results.stream().allMatch(r -> r.getStatus() == SessionStatus.COMPLETED), results.toString());
            assertTrue(results.stream().allMatch(r -> r.getAttempt() == 1), "a refusal in an outage spends no attempt: "
                    + results);
            List<TranscriptionEvent> turns = read(config, topics.transcriptions().name(),
                    topics.transcriptions().valueSerde().deserializer());
            Map<String, Long> byProvider = turns.stream().collect(Collectors.groupingBy(TranscriptionEvent::getProvider,
                    Collectors.counting()));
            assertEquals(Map.of("primary", 2L, "backup", 4L), byProvider, "two sessions before the outage, the rest "
                    + "on the backup: " + turns);
            assertTrue(backup.connectionsAccepted() >= 4, "the backup served the other four: "
                    + backup.connectionsAccepted());
            assertEquals(Set.of(true), turns.stream().map(t -> !t.getTranscript().isBlank()).collect(Collectors.toSet()));
        }
    }

    private static <T extends SpecificRecord> List<T> read(PipelineConfig config, String topic, Deserializer<T> values) {
        List<T> out = new ArrayList<>();
        try (TopicReader<T> reader = new TopicReader<>(PipelineTopics.clientProperties(config), topic, values)) {
            reader.readToEnd((key, value) -> out.add(value));
        }
        return out;
    }
}
