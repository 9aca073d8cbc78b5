package dev.streamscribe.topology;

import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.cost.Budget;
import dev.streamscribe.cost.SpendLedger;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.driver.BilledCall;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.TurnResult;
import dev.streamscribe.topology.SessionState.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A budget on TopologyTestDriver: each call the provider bills is charged when it is reported, admission stops once
 * the spend reaches {@code budget.max-cost}, and a call whose outcome the drain drops was still paid for.
 */
class BudgetDispatchTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** A gpt-4o-transcribe turn that reported no usage, charged at the provider's 0.006 per minute. */
    private static final BilledCall MINUTE_OF_TRANSCRIPTION = new BilledCall(BilledCall.Kind.TRANSCRIPTION, 60_000,
            Optional.empty());

    @TempDir
    Path stateDir;
    private final List<RecordingLauncher.Launch> launches = new ArrayList<>();
    private final List<SpendLedger.Entry> published = new ArrayList<>();
    private SpendLedger spend;
    private TopologyHarness harness;

    /** The provider billed the connection's one turn, then the connection ended with its transcript. */
    private static void billedAndDone(RecordingLauncher.Launch launch) {
        launch.turns().billed(MINUTE_OF_TRANSCRIPTION);
        launch.outcome().complete(new SessionOutcome.Completed(launch.request().turns().stream().map(turn ->
                new TurnResult(turn.turnIndex(), TurnStatus.COMPLETED, Optional.empty(), "words", turn.startMs(),
                        turn.endMs(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty()))
                .toList(), List.of(), List.of("sess_1"), 0, 0));
    }

    @BeforeEach
    void start() {
        SessionLauncher launcher = new RecordingLauncher(AdmissionGate.DEFAULT_PROVIDER, launches);
        spend = new SpendLedger("USD", new Budget(OptionalDouble.of(0.012), Budget.Period.TOTAL), "test/1",
                published::add);
        PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
        AdmissionGate gate = new AdmissionGate(1, metrics, new ProviderBreaker(ProviderBreaker.Settings.DEFAULTS),
                Duration.ofHours(1), AdmissionGate.LiveShare.DEFAULTS, spend);
        DispatchServices services = DispatchServices.create(gate, launcher, new RetryPolicy(3, Duration.ofSeconds(1)),
                metrics);
        harness = new TopologyHarness(stateDir, new AssemblerSettings(Duration.ofMinutes(10),
                Duration.ofSeconds(5), Duration.ofSeconds(1), Dialect.OPENAI_GA), services, T0);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private void tick() {
        harness.driver.advanceWallClockTime(TranscribeTopology.DISPATCH_EVERY);
    }

    @Test
    void admissionStopsAtTheSessionWhoseCallsReachTheBudget() {
        for (String session : List.of("s1", "s2", "s3")) {
            harness.publishOneTurn(session);
        }
        tick();
        assertEquals(1, launches.size(), "one slot");
        billedAndDone(launches.getFirst()); // 0.006 of 0.012
        tick();
        tick();
        assertEquals(2, launches.size(), "the budget is not spent yet: the next session goes");
        billedAndDone(launches.get(1)); // 0.012 of 0.012
        tick();
        tick();
        assertEquals(2, launches.size(), "the budget is spent: nothing more is admitted");
        assertEquals(0.012, spend.spent(System.currentTimeMillis()), 1e-12);
        assertEquals(2, harness.results.readValuesToList().size(), "both admitted sessions have their results");
        List<String> admitted = launches.stream().map(launch -> launch.request().sessionId()).toList();
        String third = List.of("s1", "s2", "s3").stream().filter(s -> !admitted.contains(s)).findFirst().orElseThrow();
        assertEquals(Status.READY, harness.state.get(third).status(), "the third waits for the budget");
    }

    @Test
    void aCallWhoseConnectionsOutcomeIsDroppedWasStillPaidFor() {
        harness.publishOneTurn("s1");
        tick();
        RecordingLauncher.Launch first = launches.getFirst();
        // as if the session had moved on to connection 2 meanwhile (a crash, a restore elsewhere)
        harness.state.put("s1", harness.state.get("s1").redispatched());
        billedAndDone(first);
        harness.driver.advanceWallClockTime(TranscribeTopology.DRAIN_EVERY);
        assertTrue(harness.results.isEmpty(), "connection 1's outcome is stale and dropped");
        assertEquals(0.006, spend.spent(System.currentTimeMillis()), 1e-12, "but the provider billed its turn");
        assertEquals(1, published.size(), "and the spend was recorded for the other instances");
    }
}
