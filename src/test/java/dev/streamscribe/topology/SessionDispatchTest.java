package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.driver.Classification;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.driver.ContextTurn;
import dev.streamscribe.realtime.driver.ResponseResult;
import dev.streamscribe.realtime.driver.TurnCheckpoint;
import dev.streamscribe.realtime.driver.TurnResult;
import dev.streamscribe.realtime.driver.TurnSpec;
import dev.streamscribe.realtime.event.ProviderUsage;
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
    private final List<RecordingLauncher.Launch> launches = new ArrayList<>();

    @BeforeEach
    void start() {
        SessionLauncher launcher = new RecordingLauncher(AdmissionGate.DEFAULT_PROVIDER, launches);
        // two slots; one live session with a place, so that a second one queues
        PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
        gate = new AdmissionGate(2, metrics, new ProviderBreaker(ProviderBreaker.Settings.DEFAULTS), Duration.ofHours(1),
                new AdmissionGate.LiveShare(0, 1));
        DispatchServices services = DispatchServices.create(gate, launcher, new RetryPolicy(3, BACKOFF), metrics);
        var settings = new AssemblerSettings(Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(1),
                Dialect.OPENAI_GA);
        harness = new TopologyHarness(stateDir, settings, services, T0);
    }

    private TopologyHarness harness;
    private AdmissionGate gate;

    @AfterEach
    void stop() {
        harness.close();
    }

    /** A one-turn session of 200 ms, complete: the assembler makes it READY and the dispatcher launches it. */
    private void publish(String session) {
        harness.publishOneTurn(session);
        dispatchTick(); // the mark is committed with the input; the next tick connects
    }

    private static TurnResult turnDone(TurnSpec turn) {
        return new TurnResult(turn.turnIndex(), TurnStatus.COMPLETED, Optional.empty(), "words of turn "
                + turn.turnIndex(), turn.startMs(), turn.endMs(), Optional.of("item_" + turn.turnIndex()),
                Optional.of(new ProviderUsage(ProviderUsage.Kind.DURATION, 0, 0, 0, 0, 0, 0, 0, 0, 1.0)), List.of(),
                Optional.empty(), Optional.empty());
    }

    private static SessionOutcome completed(SessionRequest request) {
        List<TurnResult> turns = request.turns().stream().map(SessionDispatchTest::turnDone).toList();
        return new SessionOutcome.Completed(turns, List.of(), List.of("sess_1"), 0, 0);
    }

    /** A three-turn session of 100 ms per turn, complete. */
    private void publishThreeTurns(String session) {
        harness.configs.pipeInput(session, TestConfigs.transcription(Dialect.OPENAI_GA, session));
        for (int turn = 0; turn < 3; turn++) {
            harness.chunks.pipeInput(session, AudioChunk.newBuilder().setSessionId(session).setSeq(turn).setTurnIndex(turn)
                    .setAudio(ByteBuffer.wrap(new byte[4_800])).setEndOfTurn(true).setEndOfSession(turn == 2).build());
        }
        dispatchTick();
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
    void afterALongIdleSpellANewSessionIsStillLaunchedAndWrittenAtTheBusyPace() {
        publish("s1");
        launches.getFirst().outcome().complete(completed(launches.getFirst().request()));
        drain();
        assertEquals(SessionStatus.COMPLETED, harness.results.readValue().getStatus());
        // nothing to do for longer than QUIET_AFTER: the dispatcher and the drain punctuate every QUIET_EVERY now
        harness.driver.advanceWallClockTime(TranscribeTopology.QUIET_AFTER.plus(TranscribeTopology.DISPATCH_EVERY));
        harness.driver.advanceWallClockTime(TranscribeTopology.QUIET_AFTER);

        publish("s2"); // the record wakes the dispatcher: its next tick, a busy one, connects
        assertEquals(2, launches.size(), "launched one busy tick after the record, not one quiet tick");
        launches.get(1).outcome().complete(completed(launches.get(1).request()));
        drain(); // the launch woke the drain
        assertEquals("s2", harness.results.readValue().getSessionId());
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
                Classification.transientFailure("PROVIDER_SERVER_ERROR", "server_error"), List.of()));
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
            RecordingLauncher.Launch launch = launches.getLast();
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
        RecordingLauncher.Launch first = launches.getFirst();
        // as if the session had been re-dispatched meanwhile on connection 2 (a restore elsewhere moved it on)
        harness.state.put("s1", harness.state.get("s1").redispatched());
        first.outcome().complete(completed(first.request()));
        drain();
        assertTrue(harness.results.isEmpty(), "connection 1's outcome is stale");
        assertEquals(Status.IN_FLIGHT, harness.state.get("s1").status());
    }

    @Test
    void aTurnFinishedWhileItsAttemptGoesOnIsWrittenAtOnceAndNotAgainWithTheOutcome() {
        publishThreeTurns("s1");
        RecordingLauncher.Launch launch = launches.getFirst();
        launch.turnFinished(turnDone(launch.request().turns().get(0)));
        drain();
        List<TranscriptionEvent> early = harness.transcriptions.readValuesToList();
        assertEquals(List.of(0), early.stream().map(TranscriptionEvent::getTurnIndex).toList(), "turn 0, checkpointed");
        assertTrue(harness.results.isEmpty(), "the session goes on");

        launch.outcome().complete(completed(launch.request()));
        drain();
        List<TranscriptionEvent> later = harness.transcriptions.readValuesToList();
        assertEquals(List.of(1, 2), later.stream().map(TranscriptionEvent::getTurnIndex).toList(),
                "turn 0 is not written again");
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.COMPLETED, result.getStatus());
        assertEquals(3, result.getTurnsCompleted(), "the result sums every turn of the run");
        assertEquals(3.0, result.getUsage().getDurationSeconds(), 1e-9, "usage of the checkpointed turn included");
        double eachEvent = java.util.stream.Stream.concat(early.stream(), later.stream())
                .mapToDouble(event -> event.getCost().getAmount()).sum();
        assertTrue(eachEvent > 0);
        assertEquals(eachEvent, result.getCost().getAmount(), 1e-15, "cost of the checkpointed turn included");
    }

    /** Publishes the config of a live session (start AT_FIRST_TURN). */
    private void openLive(String session) {
        var config = TestConfigs.transcription(Dialect.OPENAI_GA, session);
        config.setStart(dev.streamscribe.avro.StartPolicy.AT_FIRST_TURN);
        harness.configs.pipeInput(session, config);
    }

    private RecordingLauncher.Launch launchOf(String session) {
        return launches.stream().filter(l -> l.request().sessionId().equals(session)).reduce((a, b) -> b).orElseThrow();
    }

    /** A live session's chunk: 100 ms of audio, or an empty one that only ends the session. */
    private void liveChunk(String session, long seq, int turn, boolean end) {
        harness.chunks.pipeInput(session, AudioChunk.newBuilder().setSessionId(session).setSeq(seq).setTurnIndex(turn)
                .setAudio(ByteBuffer.wrap(new byte[end ? 0 : 4_800])).setEndOfTurn(true).setEndOfSession(end).build());
    }

    @Test
    void aLiveRunWaitsBetweenConnectionsAndWritesItsResultWithEveryTurnAtItsEnd() {
        openLive("live");
        liveChunk("live", 0, 0, false);
        dispatchTick();
        RecordingLauncher.Launch first = launches.getFirst();
        assertEquals(List.of(0), first.request().turns().stream().map(TurnSpec::turnIndex).toList());
        first.outcome().complete(completed(first.request()));
        drain();
        assertEquals(Status.ASSEMBLING, harness.state.get("live").status(), "waiting for its next turn");
        assertTrue(harness.results.isEmpty(), "no result before the session's end");
        assertEquals(1, harness.transcriptions.readValuesToList().size(), "turn 0's event is out");

        liveChunk("live", 1, 1, false);
        liveChunk("live", 2, 2, true); // the last turn already went out: an empty chunk only ends the session
        dispatchTick();
        RecordingLauncher.Launch second = launches.get(1);
        assertEquals(List.of(1), second.request().turns().stream().map(TurnSpec::turnIndex).toList());
        assertEquals(List.of(1L), second.refs().stream().map(ChunkRef::seq).toList(),
                "the empty end chunk is given to no connection");
        second.outcome().complete(completed(second.request()));
        drain();
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.COMPLETED, result.getStatus());
        assertEquals(2, result.getTurnsTotal(), "the whole plan, not the last connection's");
        assertEquals(2, result.getTurnsCompleted());
        assertEquals(1, result.getAttempt(), "waiting between turns spends no attempt");
        assertEquals(2, result.getConnections());
    }

    @Test
    void aLiveTurnWaitingForASlotGetsTheNextOneBeforeBatchSessionsThatWaitedLonger() {
        openLive("live");
        liveChunk("live", 0, 0, false);
        dispatchTick();
        launches.getFirst().outcome().complete(completed(launches.getFirst().request()));
        drain();
        publish("a");
        publish("b");
        publish("c");
        assertEquals(List.of("live", "a", "b"), launches.stream().map(l -> l.request().sessionId()).toList());

        liveChunk("live", 1, 1, false);
        liveChunk("live", 2, 2, true);
        dispatchTick();
        assertEquals(3, launches.size(), "no slot is free");
        launches.get(1).outcome().complete(completed(launches.get(1).request()));
        dispatchTick();
        dispatchTick();
        assertEquals("live", launches.getLast().request().sessionId(), "the freed slot goes to the live turn");
        assertEquals(Status.READY, harness.state.get("c").status(), "c waited longer, and waits on");
        launches.getLast().outcome().complete(completed(launches.getLast().request()));
        drain();
        dispatchTick();
        dispatchTick();
        assertEquals("c", launches.getLast().request().sessionId(), "then batch sessions take free slots again");
    }

    @Test
    void aLiveSessionsPlaceIsGivenBackWhenItsRunEndsSoAQueuedOneTakesItAtItsNextTurn() {
        openLive("first");
        harness.chunks.pipeInput("first", AudioChunk.newBuilder().setSessionId("first").setSeq(0).setTurnIndex(0)
                .setAudio(ByteBuffer.wrap(new byte[4_800])).setEndOfTurn(true).setEndOfSession(true).build());
        openLive("second");
        liveChunk("second", 0, 0, false);
        dispatchTick();
        assertEquals(1, gate.livePlaces().held());
        assertEquals(1, gate.livePlaces().queued(), "one place: the second live session goes without priority");

        launchOf("first").outcome().complete(completed(launchOf("first").request()));
        launchOf("second").outcome().complete(completed(launchOf("second").request()));
        drain();
        assertEquals(SessionStatus.COMPLETED, harness.results.readValue().getStatus(), "the first run ended");
        for (int tick = 0; tick < 11; tick++) {
            dispatchTick(); // places are looked at once a second
        }
        assertEquals(0, gate.livePlaces().held(), "the ended run's place is given back");
        liveChunk("second", 1, 1, false);
        dispatchTick();
        assertEquals(1, gate.livePlaces().held(), "the second live session takes it at its next turn");
        assertEquals(0, gate.livePlaces().queued());
    }

    @Test
    void aSessionGivenWholeToOneConnectionIsNotGivenItsEmptyEndChunk() {
        openLive("live");
        liveChunk("live", 0, 0, false);
        liveChunk("live", 1, 1, true); // arrives before the first connection: every turn goes out at once
        dispatchTick();
        RecordingLauncher.Launch only = launches.getFirst();
        assertEquals(List.of(0), only.request().turns().stream().map(TurnSpec::turnIndex).toList());
        assertEquals(List.of(0L), only.refs().stream().map(ChunkRef::seq).toList(),
                "a chunk that belongs to no turn would reach the driver as audio of a turn it does not have");
        only.outcome().complete(completed(only.request()));
        drain();
        assertEquals(SessionStatus.COMPLETED, harness.results.readValue().getStatus());
    }

    @Test
    void aRetrySendsOnlyTheTurnsWithoutAResult() {
        publishThreeTurns("s1");
        RecordingLauncher.Launch first = launches.getFirst();
        first.turnFinished(turnDone(first.request().turns().get(0)));
        first.turnFinished(turnDone(first.request().turns().get(2))); // out of order: a set, not a mark
        RecordingLauncher.Launch second = failedAndRetried(first);
        assertEquals(List.of(1), second.request().turns().stream().map(TurnSpec::turnIndex).toList(),
                "only the turn without a result goes to the provider again");
        assertEquals(List.of(1), second.refs().stream().map(ChunkRef::turnIndex).toList(), "and only its audio");
        second.outcome().complete(completed(second.request()));
        drain();
        assertEquals(List.of(0, 2, 1), harness.transcriptions.readValuesToList().stream()
                .map(TranscriptionEvent::getTurnIndex).toList(), "every turn exactly once");
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.COMPLETED, result.getStatus());
        assertEquals(3, result.getTurnsCompleted());
        assertEquals(2, result.getConnections());
    }

    @Test
    void aSessionThatFailsKeepsItsFinishedTurnsAndFailsOnlyTheOthers() {
        publishThreeTurns("s1");
        RecordingLauncher.Launch launch = launches.getFirst();
        launch.turnFinished(turnDone(launch.request().turns().get(0)));
        launch.outcome().complete(new SessionOutcome.Failed(
                Classification.permanent("UPGRADE_REFUSED_401", "unauthorized"), List.of()));
        drain();
        List<TranscriptionEvent> events = harness.transcriptions.readValuesToList();
        assertEquals(List.of(TurnStatus.COMPLETED, TurnStatus.FAILED, TurnStatus.FAILED),
                events.stream().map(TranscriptionEvent::getStatus).toList());
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.FAILED, result.getStatus());
        assertEquals(1, result.getTurnsCompleted());
        assertEquals(2, result.getTurnsFailed());
    }

    /** The provider fails the launch (a transient failure of the session); returns the retry, after the backoff. */
    private RecordingLauncher.Launch failedAndRetried(RecordingLauncher.Launch launch) {
        launch.outcome().complete(new SessionOutcome.Failed(
                Classification.transientFailure("PROVIDER_SERVER_ERROR", "server_error"), List.of()));
        drain();
        harness.driver.advanceWallClockTime(BACKOFF.multipliedBy(2));
        dispatchTick();
        return launches.getLast();
    }

    /** A three-turn conversation (a response after every turn), complete. */
    private void publishThreeTurnConversation(String session) {
        harness.configs.pipeInput(session, TestConfigs.withResponses(Dialect.OPENAI_GA, session));
        for (int turn = 0; turn < 3; turn++) {
            harness.chunks.pipeInput(session, AudioChunk.newBuilder().setSessionId(session).setSeq(turn).setTurnIndex(turn)
                    .setAudio(ByteBuffer.wrap(new byte[4_800])).setEndOfTurn(true).setEndOfSession(turn == 2).build());
        }
        dispatchTick();
    }

    private static ResponseResult answer(int turn) {
        return new ResponseResult(turn, Optional.of("resp_" + turn), "completed", Optional.empty(), Optional.empty(),
                "answer " + turn, "", Optional.empty(), Optional.of("item_" + turn), Optional.empty(), Optional.empty());
    }

    @Test
    void aResumedConversationIsGivenItsFinishedTurnsAsContextAndWritesEveryResponseOnce() {
        publishThreeTurnConversation("s1");
        RecordingLauncher.Launch first = launches.getFirst();
        assertTrue(first.request().context().isEmpty(), "a first connection restores nothing");
        first.turns().finished(new TurnCheckpoint(turnDone(first.request().turns().get(0)), Optional.of(answer(0))));
        first.turnFinished(turnDone(first.request().turns().get(1))); // transcribed, its response still running
        RecordingLauncher.Launch second = failedAndRetried(first);
        assertEquals(List.of(0), harness.responses.readValuesToList().stream().map(ResponseEvent::getTurnIndex).toList(),
                "turn 0's response is written with its turn");
        assertEquals(List.of(new ContextTurn(0, Optional.of("words of turn 0"), Optional.of("answer 0"))),
                second.request().context(), "turn 0 restored from its transcript and its answer");
        assertEquals(List.of(0, 1, 2), second.request().turns().stream().map(TurnSpec::turnIndex).toList(),
                "turn 1 has no response yet, so it goes again; turn 0's audio is at hand in case the text is refused");
        assertEquals(List.of(0, 1, 2), second.refs().stream().map(ChunkRef::turnIndex).toList());

        second.turns().finished(new TurnCheckpoint(turnDone(second.request().turns().get(1)), Optional.of(answer(1))));
        second.outcome().complete(new SessionOutcome.Completed(List.of(turnDone(second.request().turns().get(1)),
                turnDone(second.request().turns().get(2))), List.of(answer(1), answer(2)), List.of("sess_2"), 0, 0));
        drain();
        assertEquals(List.of(1, 2), harness.responses.readValuesToList().stream().map(ResponseEvent::getTurnIndex)
                .toList(), "turn 1's response once (with its checkpoint, not again with the outcome)");
        assertEquals(List.of(0, 1, 2), harness.transcriptions.readValuesToList().stream()
                .map(TranscriptionEvent::getTurnIndex).toList(), "every turn exactly once");
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.COMPLETED, result.getStatus());
        assertEquals(3, result.getResponsesTotal());
    }

    @Test
    void audioSentAgainIsCountedInTheResult() {
        publishThreeTurns("s1");
        RecordingLauncher.Launch first = launches.getFirst();
        List<TurnSpec> turns = first.request().turns();
        first.turns().streaming(turns.get(0), false);
        first.turnFinished(turnDone(turns.get(0)));
        first.turns().streaming(turns.get(1), false);
        first.turns().streaming(turns.get(2), false);
        RecordingLauncher.Launch second = failedAndRetried(first);
        second.request().turns().forEach(turn -> second.turns().streaming(turn, false));
        second.outcome().complete(completed(second.request()));
        drain();
        SessionResult result = harness.results.readValue();
        assertEquals(turns.get(1).durationMs() + turns.get(2).durationMs(), result.getAudioResentMs(),
                "turns 1 and 2 went to the provider twice; turn 0 once");
    }

    @Test
    void aSessionThatTimesOutTwiceTheSameWayFailsInsteadOfTryingAThirdTime() {
        publish("s1");
        SessionOutcome timedOut = new SessionOutcome.Failed(Classification.transientFailure("RESPONSE_TIMEOUT",
                "no response.done for turn 0 within 60000 ms"), List.of());
        RecordingLauncher.Launch first = launches.getFirst();
        first.outcome().complete(timedOut);
        drain();
        harness.driver.advanceWallClockTime(BACKOFF.multipliedBy(2));
        dispatchTick();
        RecordingLauncher.Launch second = launches.getLast();
        assertEquals(2, second.request().attempt(), "the first timeout is retried");
        second.outcome().complete(timedOut);
        drain();
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.FAILED, result.getStatus(), "attempts were left, but it would time out again");
        assertEquals("RESPONSE_TIMEOUT", result.getReason());
        assertTrue(result.getMessage().contains("second time in a row"), result.getMessage());
    }

    @Test
    void aTurnReportedByAnOlderConnectionIsDropped() {
        publishThreeTurns("s1");
        RecordingLauncher.Launch launch = launches.getFirst();
        harness.state.put("s1", harness.state.get("s1").redispatched()); // the run moved on to connection 2
        launch.turnFinished(turnDone(launch.request().turns().get(0)));
        drain();
        assertTrue(harness.transcriptions.isEmpty());
    }
}
