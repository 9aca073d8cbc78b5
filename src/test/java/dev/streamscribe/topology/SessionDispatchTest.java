package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.driver.Classification;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.driver.TurnResult;
import dev.streamscribe.testing.TestConfigs;
import dev.streamscribe.topology.SessionState.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dispatcher and the drain on TopologyTestDriver, with a launcher that stands in for the provider: admission,
 * one transaction of records per finished attempt, retries after the backoff, permanent failures, stale outcomes.
 */
class SessionDispatchTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration BACKOFF = Duration.ofSeconds(1);

    @TempDir
    Path stateDir;
    private final List<Launch> launches = new ArrayList<>();

    /** One call of the launcher: what it was asked, and the outcome the test completes. */
    private record Launch(SessionRequest request, CompletableFuture<SessionOutcome> outcome) {
    }

    @BeforeEach
    void start() {
        SessionLauncher launcher = (request, refs) -> {
            CompletableFuture<SessionOutcome> outcome = new CompletableFuture<>();
            launches.add(new Launch(request, outcome));
            return outcome;
        };
        DispatchServices services = DispatchServices.create(2, launcher, new RetryPolicy(3, BACKOFF),
                new PipelineMetrics(new SimpleMeterRegistry()));
        var settings = new SessionAssembler.Settings(Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(1),
                Dialect.OPENAI_GA);
        harness = new TopologyHarness(stateDir, settings, services, T0);
    }

    private TopologyHarness harness;

    @AfterEach
    void stop() {
        harness.close();
    }

    /** A one-turn session of 200 ms, complete: the assembler makes it READY and the dispatcher launches it. */
    private void publish(String session) {
        harness.configs.pipeInput(session, TestConfigs.transcription(Dialect.OPENAI_GA, session));
        harness.chunks.pipeInput(session, AudioChunk.newBuilder().setSessionId(session).setSeq(0).setTurnIndex(0)
                .setAudio(ByteBuffer.wrap(new byte[9_600])).setEndOfTurn(true).setEndOfSession(true).build());
        dispatchTick(); // the mark is committed with the input; the next tick connects
    }

    private static SessionOutcome completed(SessionRequest request) {
        List<TurnResult> turns = request.turns().stream().map(turn -> new TurnResult(turn.turnIndex(),
                TurnStatus.COMPLETED, Optional.empty(), "words of turn " + turn.turnIndex(), turn.startMs(), turn.endMs(),
                Optional.of("item_" + turn.turnIndex()), Optional.empty(), List.of(), Optional.empty(), Optional.empty()))
                .toList();
        return new SessionOutcome.Completed(turns, List.of(), List.of("sess_1"), 0, 0);
    }

    private void drain() {
        harness.driver.advanceWallClockTime(TranscribeTopology.DRAIN_EVERY);
    }

    /** One dispatcher punctuation: sessions whose IN_FLIGHT mark has been committed since connect now. */
    private void dispatchTick() {
        harness.driver.advanceWallClockTime(TranscribeTopology.DISPATCH_EVERY);
    }

    @Test
    void aReadySessionIsLaunchedAndItsOutcomeWrittenWithTheStateChange() {
        publish("s1");
        assertEquals(1, launches.size());
        assertEquals(1, launches.getFirst().request().attempt());
        assertEquals(Status.IN_FLIGHT, harness.state.get("s1").status());
        assertTrue(harness.results.isEmpty(), "nothing is written while the attempt runs");

        launches.getFirst().outcome().complete(completed(launches.getFirst().request()));
        drain();
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.COMPLETED, result.getStatus());
        assertEquals(1, result.getConnections());
        TranscriptionEvent event = harness.transcriptions.readValue();
        assertEquals("words of turn 0", event.getTranscript());
        assertEquals(1, event.getConnection(), "every event says which connection produced it");
        assertEquals(Status.FINISHED, harness.state.get("s1").status());
    }

    @Test
    void noMoreSessionsThanTheGateAllowsAreInFlight() {
        publish("a");
        publish("b");
        publish("c");
        assertEquals(2, launches.size(), "the third waits for a slot");
        assertEquals(Status.READY, harness.state.get("c").status());
        launches.getFirst().outcome().complete(completed(launches.getFirst().request()));
        dispatchTick(); // the freed slot admits (marks) the waiting session...
        assertEquals(Status.IN_FLIGHT, harness.state.get("c").status());
        assertEquals(2, launches.size(), "...which connects only once that mark has been committed");
        dispatchTick();
        assertEquals(3, launches.size(), "a freed slot admits the waiting session");
        assertEquals("c", launches.get(2).request().sessionId());
    }

    @Test
    void aTransientFailureRunsAgainAfterTheBackoffWithTheNextAttempt() {
        publish("s1");
        launches.getFirst().outcome().complete(new SessionOutcome.Failed(
                Classification.transientFailure("ABNORMAL_CLOSE", "dropped"), List.of()));
        drain();
        assertEquals(Status.READY, harness.state.get("s1").status());
        assertTrue(harness.results.isEmpty(), "a retried attempt writes nothing");
        harness.driver.advanceWallClockTime(BACKOFF.dividedBy(2));
        assertEquals(1, launches.size(), "not before the backoff");
        harness.driver.advanceWallClockTime(BACKOFF.multipliedBy(2));
        dispatchTick();
        assertEquals(2, launches.size());
        assertEquals(2, launches.get(1).request().attempt());
        launches.get(1).outcome().complete(completed(launches.get(1).request()));
        drain();
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.COMPLETED, result.getStatus());
        assertEquals(2, result.getAttempt());
    }

    @Test
    void aPermanentFailureEndsTheRunWithADeadLetter() {
        publish("s1");
        launches.getFirst().outcome().complete(new SessionOutcome.Failed(
                Classification.permanent("UPGRADE_REFUSED_401", "unauthorized"), List.of()));
        drain();
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.FAILED, result.getStatus());
        assertEquals("UPGRADE_REFUSED_401", result.getReason());
        DeadLetter letter = harness.deadLetters.readValue();
        assertEquals("UPGRADE_REFUSED_401", letter.getReasonCode());
        assertEquals("s1", letter.getSessionId());
        assertEquals(1, launches.size(), "never retried");
    }

    @Test
    void retriesStopAtTheAttemptLimit() {
        publish("s1");
        for (int attempt = 1; attempt <= 3; attempt++) {
            Launch launch = launches.getLast();
            assertEquals(attempt, launch.request().attempt());
            launch.outcome().complete(new SessionOutcome.Failed(
                    Classification.transientFailure("PROVIDER_SERVER_ERROR", "server_error"), List.of()));
            drain();
            harness.driver.advanceWallClockTime(BACKOFF.multipliedBy(8));
            dispatchTick();
        }
        assertEquals(3, launches.size());
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.FAILED, result.getStatus());
        assertEquals(3, result.getAttempt());
    }

    @Test
    void theProviderIsCalledOnlyAfterTheInFlightMarkWithItsConnectionNumberWasCommitted() {
        harness.configs.pipeInput("s1", TestConfigs.transcription(Dialect.OPENAI_GA, "s1"));
        harness.chunks.pipeInput("s1", AudioChunk.newBuilder().setSessionId("s1").setSeq(0).setTurnIndex(0)
                .setAudio(ByteBuffer.wrap(new byte[9_600])).setEndOfTurn(true).setEndOfSession(true).build());
        SessionState marked = harness.state.get("s1");
        assertEquals(Status.IN_FLIGHT, marked.status());
        assertEquals(1, marked.connections());
        assertTrue(launches.isEmpty(), "not connected in the processing step that marked it");
        dispatchTick();
        assertEquals(1, launches.size(), "connected on the first tick after the commit");
    }

    @Test
    void anOutcomeOfAnOlderConnectionIsDropped() {
        publish("s1");
        Launch first = launches.getFirst();
        // as if the session had been re-dispatched meanwhile on connection 2 (a restore elsewhere moved it on)
        harness.state.put("s1", harness.state.get("s1").redispatched());
        first.outcome().complete(completed(first.request()));
        drain();
        assertTrue(harness.results.isEmpty(), "connection 1's outcome is stale");
        assertEquals(Status.IN_FLIGHT, harness.state.get("s1").status());
    }
}
