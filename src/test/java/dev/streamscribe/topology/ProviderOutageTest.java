package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.driver.Classification;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.driver.TurnResult;
import dev.streamscribe.realtime.driver.TurnSpec;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A provider outage in the topology: connections of two sessions fail in a row, the breaker opens, and both wait for
 * the provider without spending an attempt; one probes after the pause, and its success lets the other go. A lone
 * connection failure waits out the breaker's grace and is then that session's own transient failure.
 */
class ProviderOutageTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration PAUSE = Duration.ofSeconds(2);
    private static final Duration GRACE = Duration.ofSeconds(1);

    @TempDir
    Path stateDir;
    private final AtomicLong breakerClock = new AtomicLong(T0.toEpochMilli());
    private final List<Launch> launches = new ArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private TopologyHarness harness;
    private ProviderBreaker breaker;

    private record Launch(SessionRequest request, CompletableFuture<SessionOutcome> outcome) {
    }

    @BeforeEach
    void start() {
        SessionLauncher launcher = (request, chunks) -> {
            CompletableFuture<SessionOutcome> outcome = new CompletableFuture<>();
            launches.add(new Launch(request, outcome));
            return outcome;
        };
        PipelineMetrics metrics = new PipelineMetrics(meters);
        breaker = new ProviderBreaker(new ProviderBreaker.Settings(2, PAUSE, Duration.ofMinutes(1), GRACE),
                breakerClock::get);
        AdmissionGate gate = new AdmissionGate(4, metrics, breaker);
        DispatchServices services = DispatchServices.create(gate, launcher, new RetryPolicy(2, Duration.ofSeconds(1), 10),
                metrics);
        harness = new TopologyHarness(stateDir, new AssemblerSettings(Duration.ofMinutes(10),
                Duration.ofSeconds(5), Duration.ofSeconds(1), Dialect.OPENAI_GA), services, T0);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private void publish(String session) {
        harness.publishOneTurn(session);
    }

    /** Wall clock and the breaker's clock move together. */
    private void advance(Duration by) {
        breakerClock.addAndGet(by.toMillis());
        harness.driver.advanceWallClockTime(by);
    }

    private void tick() {
        advance(TranscribeTopology.DISPATCH_EVERY);
    }

    private Launch launchOf(String session, int connection) {
        return launches.stream().filter(l -> l.request().sessionId().equals(session)).skip(connection - 1).findFirst()
                .orElseThrow(() -> new AssertionError(session + " has no connection " + connection + ": " + launches));
    }

    private static SessionOutcome dropped() {
        return new SessionOutcome.Failed(Classification.transientFailure("ABNORMAL_CLOSE", "the provider went away"),
                List.of());
    }

    private static SessionOutcome completed(SessionRequest request) {
        TurnSpec turn = request.turns().getFirst();
        return new SessionOutcome.Completed(List.of(new TurnResult(turn.turnIndex(), TurnStatus.COMPLETED,
                Optional.empty(), "words", turn.startMs(), turn.endMs(), Optional.of("item_1"), Optional.empty(),
                List.of(), Optional.empty(), Optional.empty())), List.of(), List.of("sess_1"), 0, 0);
    }

    @Test
    void sessionsWhoseConnectionsFailInAnOutageWaitForTheProviderWithoutSpendingAnAttempt() {
        publish("a");
        publish("b");
        tick();
        tick();
        assertEquals(2, launches.size());
        launchOf("a", 1).outcome().complete(dropped());
        launchOf("b", 1).outcome().complete(dropped());
        tick();
        assertEquals(ProviderBreaker.State.OPEN, breaker.state());
        for (String session : List.of("a", "b")) {
            SessionState state = harness.state.get(session);
            assertEquals(Status.IN_FLIGHT, state.status(), "waiting to go out again, not retried");
            assertEquals(1, state.attempt(), "no attempt spent on the outage");
            assertEquals(0, state.crashLoop());
        }
        assertEquals(2.0, meters.get(PipelineMetrics.SESSIONS_REQUEUED).counter().count());
        assertTrue(harness.results.isEmpty());

        advance(PAUSE.minusMillis(200));
        assertEquals(2, launches.size(), "admission is paused");
        advance(Duration.ofMillis(200));
        tick();
        assertEquals(3, launches.size(), "one session probes: " + launches);
        Launch probe = launches.getLast();
        assertEquals(1, probe.request().attempt());
        probe.outcome().complete(completed(probe.request()));
        tick();
        tick();
        tick();
        assertEquals(4, launches.size(), "the probe got through: the other goes out");
        launches.getLast().outcome().complete(completed(launches.getLast().request()));
        tick();
        Map<String, SessionResult> results = harness.results.readValuesToList().stream()
                .collect(Collectors.toMap(r -> r.getSessionId().toString(), r -> r));
        for (String session : List.of("a", "b")) {
            assertEquals(SessionStatus.COMPLETED, results.get(session).getStatus());
            assertEquals(1, results.get(session).getAttempt(), "the outage cost no attempt");
            assertEquals(2, results.get(session).getConnections());
        }
    }

    @Test
    void aLoneConnectionFailureWaitsOutTheGraceAndIsThenTheSessionsOwnTransientFailure() {
        publish("a");
        tick();
        tick();
        launchOf("a", 1).outcome().complete(dropped());
        tick();
        assertEquals(Status.IN_FLIGHT, harness.state.get("a").status(), "the verdict is not known yet");
        advance(GRACE);
        tick();
        SessionState state = harness.state.get("a");
        assertEquals(Status.READY, state.status(), "an ordinary transient failure: retried after the backoff");
        assertEquals(ProviderBreaker.State.CLOSED, breaker.state());
    }
}
