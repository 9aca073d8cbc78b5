package dev.streamscribe.cli;

import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.results.TopicReader;
import dev.streamscribe.testing.Cli;
import dev.streamscribe.testing.TestWavs;
import dev.streamscribe.testing.TestWavs.Tone;
import dev.streamscribe.topology.PipelineTopics;
import dev.streamscribe.topology.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * budget.max-cost on the real broker and registry with the local realtime server: admission stops at the session
 * whose calls reach the budget, the spend holds across a restart, and raising the budget lets the rest through.
 */
class BudgetIT {
    private static final String NAME = "budget-it";
    /** Each recording is one 2 s whisper-1 turn: 2 billed seconds at 0.006 per minute, USD 0.0002. */
    private static final String TWO_SESSIONS_AND_A_BIT = "0.00035";

    @TempDir
    Path dir;

    @Test
    void theBudgetStopsAdmissionAtTheRightSessionHoldsAcrossARestartAndRaisingItResumes() throws Exception {
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(
                new DeterministicSpeechEngine()))) {
            List<String> flags = new ArrayList<>(Cli.pipelineFlags(NAME, dir.resolve("state"),
                    server.url(Dialect.OPENAI_GA).toString()));
            flags.addAll(List.of("--set", "realtime.max-concurrent-sessions=1"));
            Path recordings = Files.createDirectories(dir.resolve("recordings"));
            for (int i = 0; i < 4; i++) {
                TestWavs.write(recordings.resolve("r" + i + ".wav"), 24_000f, 16, 1, false, 2.0, new Tone(300 + 100 * i, 0.5));
            }
            Cli.Result ingest = Cli.run(Cli.args("ingest", flags, "--transcription-model", "whisper-1",
                    recordings.toString()));
            assertEquals(0, ingest.exitCode(), ingest.toString());

            Cli.Result spent = run(flags, TWO_SESSIONS_AND_A_BIT);
            assertEquals(RunCommand.EXIT_BUDGET_SPENT, spent.exitCode(), spent.toString());
            assertTrue(spent.out().contains("budget spent: 2 session(s) wait for budget.max-cost to be raised"),
                    spent.out());
            assertEquals(2, results(flags).size(), "one session at a time: the second one's calls reached the budget");
            int connections = server.connectionsAccepted();

            Cli.Result again = run(flags, TWO_SESSIONS_AND_A_BIT);
            assertEquals(RunCommand.EXIT_BUDGET_SPENT, again.exitCode(), again.toString());
            assertEquals(connections, server.connectionsAccepted(), "after a restart the spend is read back: "
                    + "nothing admitted");

            Cli.Result raised = run(flags, "0.01");
            assertEquals(0, raised.exitCode(), raised.toString());
            List<SessionResult> results = results(flags);
            assertEquals(4, results.size(), results.toString());
            assertTrue(results.stream().allMatch(r -> r.getStatus() == SessionStatus.COMPLETED), results.toString());
            double cost = results.stream().mapToDouble(r -> r.getCost().getAmount()).sum();
            assertEquals(0.0008, cost, 1e-12, "four sessions of 2 billed seconds");
        }
    }

    private static Cli.Result run(List<String> flags, String budget) {
        return assertTimeoutPreemptively(Duration.ofSeconds(120), () -> Cli.run(Cli.args("run", flags, "--set",
                "budget.max-cost=" + budget, "--exit-when-drained")));
    }

    private static List<SessionResult> results(List<String> flags) {
        PipelineConfig config = Cli.pipelineConfig(flags);
        Topics topics = PipelineTopics.connect(config, Map.of());
        List<SessionResult> out = new ArrayList<>();
        try (TopicReader<SessionResult> reader = new TopicReader<>(PipelineTopics.clientProperties(config),
                topics.sessionResults().name(), topics.sessionResults().valueSerde().deserializer())) {
            reader.readToEnd((key, value) -> out.add(value));
        }
        return out;
    }
}
