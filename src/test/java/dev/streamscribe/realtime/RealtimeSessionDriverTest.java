package dev.streamscribe.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.realtime.ScriptedRealtimePeer.PeerConnection;
import dev.streamscribe.realtime.driver.AudioPiece;
import dev.streamscribe.realtime.driver.AudioUnavailableException;
import dev.streamscribe.realtime.driver.DriverSettings;
import dev.streamscribe.realtime.driver.FailureClass;
import dev.streamscribe.realtime.driver.ResponseResult;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.driver.TurnResult;
import dev.streamscribe.realtime.driver.TurnSpec;
import dev.streamscribe.realtime.event.SessionSettings;
import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.ListAudioPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session driver against a scripted provider over real WebSockets, in every dialect. */
class RealtimeSessionDriverTest {
    private static final int CHUNK = 24_000; // 250 ms of pcm16 at 24 kHz

    private static DriverHarness harness(Dialect dialect, Consumer<ProviderScript> configure) {
        return new DriverHarness(dialect, configure);
    }

    private static SessionOutcome.Completed completed(SessionOutcome outcome) {
        if (outcome instanceof SessionOutcome.Failed failed) {
            throw new AssertionError("session failed: " + failed.classification());
        }
        return (SessionOutcome.Completed) outcome;
    }

    private static SessionOutcome.Failed failed(SessionOutcome outcome) {
        return assertInstanceOf(SessionOutcome.Failed.class, outcome, () -> "expected a failure, got " + outcome);
    }

    private static void assertTranscriptsMatchAudio(SessionOutcome.Completed outcome, long... turnMillis) {
        assertEquals(turnMillis.length, outcome.turns().size());
        for (int turn = 0; turn < turnMillis.length; turn++) {
            TurnResult result = outcome.turns().get(turn);
            assertEquals(TurnStatus.COMPLETED, result.status(), () -> "turn " + result.turnIndex() + ": " + result.reason());
            assertEquals(ProviderScript.transcriptOf(DriverHarness.turnAudio(turn, turnMillis[turn])), result.transcript(),
                    "turn " + turn + " must carry the transcript of its own audio");
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldTranscribeEveryTurnOfAMultiTurnSessionFromItsOwnAudio(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> { })) {
            long[] turns = {1_000, 600, 1_500};
            SessionOutcome.Completed outcome = completed(h.run(DriverHarness.request(h.transcriptionConfig(), turns),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, turns))));
            assertTranscriptsMatchAudio(outcome, turns);
            assertEquals(List.of(0L, 1_000L, 1_600L), outcome.turns().stream().map(TurnResult::startMs).toList());
            assertEquals(List.of(1_000L, 1_600L, 3_100L), outcome.turns().stream().map(TurnResult::endMs).toList());
            if (dialect != Dialect.OPENAI_BETA) {
                assertTrue(outcome.turns().get(0).usage().isPresent(), "GA transcriptions carry usage");
            }
            assertEquals(1000, h.peer.connections().getFirst().awaitCloseCode(Duration.ofSeconds(5)),
                    "the driver closes with 1000");
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldSendTheFullSessionUpdateFirstAndAppendOnlyAfterSessionUpdated(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.created = ProviderScript.Created.NEVER)) {
            completed(h.run(DriverHarness.request(h.transcriptionConfig(), 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500))));
            PeerConnection connection = h.peer.connections().getFirst();
            assertEquals("session.update", connection.receivedTypes().getFirst());
            JsonNode session = connection.received.getFirst().path("session");
            if (dialect == Dialect.OPENAI_BETA) {
                assertTrue(session.has("turn_detection") && session.get("turn_detection").isNull());
                assertEquals("pcm16", session.path("input_audio_format").asText());
            } else {
                assertTrue(session.path("audio").path("input").get("turn_detection").isNull(), "manual commits only");
                assertEquals("audio/pcm", session.path("audio").path("input").path("format").path("type").asText());
            }
            int updated = connection.timeline.indexOf("out:session.updated");
            int firstAppend = connection.timeline.indexOf("in:input_audio_buffer.append");
            assertTrue(updated >= 0 && firstAppend > updated, "appends wait for session.updated: " + connection.timeline);
            assertTrue(connection.receivedTypes().subList(1, connection.receivedTypes().size())
                    .stream().noneMatch("session.update"::equals), "exactly one session.update per connection");
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldNeverWaitForSessionCreated(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.created = ProviderScript.Created.NEVER)) {
            long[] turns = {800};
            assertTranscriptsMatchAudio(completed(h.run(DriverHarness.request(h.transcriptionConfig(), turns),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, turns)))), turns);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = {"OPENAI_GA", "OPENAI_BETA"})
    void shouldAcceptSessionCreatedAfterSessionUpdated(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.created = ProviderScript.Created.AFTER_UPDATED)) {
            long[] turns = {800, 800};
            SessionOutcome.Completed outcome = completed(h.run(DriverHarness.request(h.transcriptionConfig(), turns),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, turns))));
            assertTranscriptsMatchAudio(outcome, turns);
            assertEquals(1, outcome.providerSessionIds().size());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldCollectATranscriptionThatCompletesAfterResponseDone(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.transcriptionAfterResponseDone = true)) {
            long[] turns = {700, 900};
            SessionOutcome.Completed outcome = completed(h.run(DriverHarness.request(h.responseConfig(), turns),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, turns))));
            assertTranscriptsMatchAudio(outcome, turns);
            assertEquals(2, outcome.responses().size());
            assertEquals(List.of("answer to commit 1", "answer to commit 2"),
                    outcome.responses().stream().map(ResponseResult::text).toList());
            assertTrue(outcome.responses().stream().allMatch(r -> r.status().equals("completed")));
            assertTrue(outcome.responses().getFirst().usage().isPresent());
            assertEquals(2, h.rateLimitsSeen.size(), "every rate_limits.updated reaches the admission control");
            assertEquals("tokens", h.rateLimitsSeen.getFirst().name());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldMatchOutOfOrderCompletionsToTheirTurnsByItemId(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.holdCompletionsUntilCommits = 2)) {
            long[] turns = {1_200, 400};
            assertTranscriptsMatchAudio(completed(h.run(DriverHarness.request(h.transcriptionConfig(), turns),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, turns)))), turns);
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldNeverHaveTwoResponsesActiveAtOnce(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> { })) {
            long[] turns = {300, 300, 300, 300};
            SessionOutcome.Completed outcome = completed(h.run(DriverHarness.request(h.responseConfig(), turns),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, turns))));
            assertEquals(4, outcome.responses().size());
            assertTrue(h.peer.connections().getFirst().received("error").isEmpty());
            assertTrue(h.peer.connections().getFirst().sent.stream()
                    .noneMatch(m -> m.contains("conversation_already_has_active_response")));
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldFailOnlyTheTurnWhoseCommitTheProviderRejected(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.rejectCommit.add(2))) {
            long[] turns = {500, 500, 500};
            SessionOutcome.Completed outcome = completed(h.run(DriverHarness.request(h.transcriptionConfig(), turns),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, turns))));
            assertEquals(List.of(TurnStatus.COMPLETED, TurnStatus.FAILED, TurnStatus.COMPLETED),
                    outcome.turns().stream().map(TurnResult::status).toList());
            String reason = outcome.turns().get(1).reason().orElseThrow();
            assertTrue(reason.startsWith("COMMIT_REJECTED: invalid_request_error/input_audio_buffer_commit_empty"), reason);
            assertEquals(ProviderScript.transcriptOf(DriverHarness.turnAudio(2, 500)), outcome.turns().get(2).transcript());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldWaitForALateCommitErrorBeforeCommittingTheNextTurn(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> {
            s.rejectCommit.add(1);
            s.commitErrorDelayMs = 400;
        })) {
            long[] turns = {500, 500};
            SessionOutcome.Completed outcome = completed(h.run(DriverHarness.request(h.transcriptionConfig(), turns),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, turns))));
            assertEquals(List.of(TurnStatus.FAILED, TurnStatus.COMPLETED),
                    outcome.turns().stream().map(TurnResult::status).toList(), "the late error belongs to turn 0, not turn 1");
            List<String> timeline = h.peer.connections().getFirst().timeline;
            int error = timeline.indexOf("out:error");
            int secondCommit = timeline.lastIndexOf("in:input_audio_buffer.commit");
            assertTrue(error >= 0 && secondCommit > error, "the second commit waits for the first one's answer: " + timeline);
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldRecordAFailedTranscriptionAndGoOn(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.failTranscriptionOfCommit.add(1))) {
            long[] turns = {500, 500};
            SessionOutcome.Completed outcome = completed(h.run(DriverHarness.request(h.transcriptionConfig(), turns),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, turns))));
            assertEquals(TurnStatus.FAILED, outcome.turns().get(0).status());
            assertEquals("TRANSCRIPTION_FAILED: transcription_error/audio_unintelligible: The audio could not be transcribed.",
                    outcome.turns().get(0).reason().orElseThrow());
            assertEquals(TurnStatus.COMPLETED, outcome.turns().get(1).status());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldFailTheSessionWhenAFailedTranscriptionSaysTheQuotaIsExhausted(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> {
            s.failTranscriptionOfCommit.add(1);
            s.transcriptionQuotaExhausted = true;
        })) {
            long[] turns = {500, 500};
            SessionOutcome.Failed outcome = failed(h.run(DriverHarness.request(h.transcriptionConfig(), turns),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, turns))));
            assertEquals(FailureClass.PERMANENT, outcome.classification().failureClass());
            assertEquals("INSUFFICIENT_QUOTA", outcome.classification().reason(), "not one failed turn: the account");
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldFailPermanentlyWithoutSendingAudioWhenTheSessionUpdateIsRejected(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.rejectSessionUpdateWith = ProviderScript.errorBody(
                "invalid_request_error", "missing_required_parameter", "Missing required parameter: 'session.type'.",
                "session.type"))) {
            SessionOutcome.Failed outcome = failed(h.run(DriverHarness.request(h.transcriptionConfig(), 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500))));
            assertEquals(FailureClass.PERMANENT, outcome.classification().failureClass());
            assertEquals("CONFIG_REJECTED", outcome.classification().reason());
            assertTrue(outcome.classification().message().contains("answering"), "the error is correlated by event_id");
            assertEquals(List.of("session.update"), h.peer.connections().getFirst().receivedTypes());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldGoOnAfterAnErrorNotTiedToAnyOfOurEvents(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.errorAfterFirstAppend = ProviderScript.errorBody("server_error",
                null, "The server had an error while processing your request.", null))) {
            SessionOutcome.Completed outcome = completed(h.run(DriverHarness.request(h.transcriptionConfig(), 1_000),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 1_000))));
            assertEquals(TurnStatus.COMPLETED, outcome.turns().getFirst().status(), "the session's waits decided: alive");
            assertEquals(1, outcome.providerErrors(), "noted and counted");
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldFailOnlyTheTurnAnInputTranscriptionFailedErrorNames(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> {
            s.failTranscriptionOfCommit.add(1);
            s.transcriptionFailureAsError = true;
        })) {
            long[] turns = {500, 500};
            SessionOutcome.Completed outcome = completed(h.run(DriverHarness.request(h.transcriptionConfig(), turns),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, turns))));
            assertEquals(TurnStatus.FAILED, outcome.turns().get(0).status());
            assertTrue(outcome.turns().get(0).reason().orElseThrow().startsWith("TRANSCRIPTION_FAILED: server_error"),
                    outcome.turns().get(0).reason().orElseThrow());
            assertEquals(TurnStatus.COMPLETED, outcome.turns().get(1).status());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldShrugOffAnErrorAnsweringOurClear(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.rejectClear = true)) {
            // the first turn is planned long enough but its audio is 60 ms: the driver clears it instead of committing;
            // the peer answers in order, so the clear's error arrives before the second turn's commit is answered
            SessionRequest request = new SessionRequest("s-1", "r-1", 1, h.transcriptionConfig(),
                    List.of(new TurnSpec(0, 0, 200, false), new TurnSpec(1, 200, 700, false)));
            List<AudioPiece> pieces = List.of(new AudioPiece(0, ByteBuffer.wrap(DriverHarness.turnAudio(0, 60)), true),
                    new AudioPiece(1, ByteBuffer.wrap(DriverHarness.turnAudio(1, 500)), true));
            SessionOutcome.Completed outcome = completed(h.run(request, new ListAudioPublisher(pieces)));
            assertEquals(List.of(TurnStatus.SKIPPED, TurnStatus.COMPLETED),
                    outcome.turns().stream().map(TurnResult::status).toList());
            assertEquals(1, outcome.providerErrors(), "the refused clear was noted, and the session went on");
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldRefuseToRunWhenTheProviderKeepsVoiceActivityDetectionOn(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.vadStaysOn = true)) {
            SessionOutcome.Failed outcome = failed(h.run(DriverHarness.request(h.transcriptionConfig(), 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500))));
            assertEquals(FailureClass.PERMANENT, outcome.classification().failureClass());
            assertEquals("VAD_ACTIVE", outcome.classification().reason());
            assertEquals(List.of("session.update"), h.peer.connections().getFirst().receivedTypes(), "no audio sent");
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldRefuseToGoOnWhenTheProviderDetectsSpeechOnItsOwn(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.speechStartedAfterFirstAppend = true)) {
            SessionOutcome.Failed outcome = failed(h.run(DriverHarness.request(h.transcriptionConfig(), 2_000),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 2_000))));
            assertEquals("VAD_ACTIVE", outcome.classification().reason());
        }
    }

    @Test
    void shouldFailPermanentlyWithAWayOutWhenTheBetaInterfaceIsRetired() {
        try (DriverHarness h = harness(Dialect.OPENAI_BETA, s -> s.betaRetired = true)) {
            SessionOutcome.Failed outcome = failed(h.run(DriverHarness.request(h.responseConfig(), 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500))));
            assertEquals(FailureClass.PERMANENT, outcome.classification().failureClass());
            assertEquals("BETA_API_RETIRED", outcome.classification().reason());
            assertTrue(outcome.classification().message().contains("openai-ga"), outcome.classification().message());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldClassifyARateLimitAsTransientAndSignalIt(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.errorAfterFirstAppend = ProviderScript.errorBody(
                "rate_limit_exceeded", "rate_limit_exceeded", "Rate limit reached.", null))) {
            SessionOutcome.Failed outcome = failed(h.run(DriverHarness.request(h.transcriptionConfig(), 1_000),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 1_000))));
            assertEquals(FailureClass.TRANSIENT, outcome.classification().failureClass());
            assertTrue(outcome.classification().rateLimited());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldClassifyAnAbnormalCloseMidAppendAsTransient(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.dropAfterFirstAppend = true)) {
            SessionOutcome.Failed outcome = failed(h.run(DriverHarness.request(h.transcriptionConfig(), 2_000),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 2_000))));
            assertEquals(FailureClass.TRANSIENT, outcome.classification().failureClass());
            assertEquals("ABNORMAL_CLOSE", outcome.classification().reason());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldFailPermanentlyOnInsufficientQuotaInResponseDone(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.quotaExhausted = true)) {
            SessionOutcome.Failed outcome = failed(h.run(DriverHarness.request(h.responseConfig(), 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500))));
            assertEquals(FailureClass.PERMANENT, outcome.classification().failureClass());
            assertEquals("INSUFFICIENT_QUOTA", outcome.classification().reason());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldFailOnlyTheTurnWhoseTranscriptionNeverComes(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.stallTranscriptions = true)) {
            // 300 ms + 0.5 x 500 ms of audio = 550 ms
            h.settings = new DriverSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(55),
                    Duration.ofMillis(300), 0.5);
            SessionOutcome.Completed outcome = completed(h.run(DriverHarness.request(h.transcriptionConfig(), 500, 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500, 500))));
            for (TurnResult turn : outcome.turns()) {
                assertEquals(TurnStatus.FAILED, turn.status());
                assertTrue(turn.reason().orElseThrow().startsWith("TRANSCRIPTION_TIMEOUT"), turn.reason().orElseThrow());
                assertTrue(turn.reason().orElseThrow().contains("within 550 ms"), "the wait scales with the turn");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldTimeOutACommitThatIsNeverAnswered(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.stallCommit.add(1))) {
            h.settings = new DriverSettings(Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(55));
            SessionOutcome.Failed outcome = failed(h.run(DriverHarness.request(h.transcriptionConfig(), 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500))));
            assertEquals("COMMIT_TIMEOUT", outcome.classification().reason());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldTimeOutAResponseThatNeverEnds(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.stallResponses = true)) {
            h.settings = new DriverSettings(Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(55));
            SessionOutcome.Failed outcome = failed(h.run(DriverHarness.request(h.responseConfig(), 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500))));
            assertEquals("RESPONSE_TIMEOUT", outcome.classification().reason());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldBoundTheWholeSessionAttempt(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> s.stallTranscriptions = true)) {
            h.settings = new DriverSettings(Duration.ofSeconds(20), Duration.ofMillis(700), Duration.ofMinutes(55));
            SessionOutcome.Failed outcome = failed(h.run(DriverHarness.request(h.transcriptionConfig(), 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500))));
            assertEquals("SESSION_TIMEOUT", outcome.classification().reason());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldSkipATooShortTurnWithoutSendingItsAudio(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> { })) {
            long[] turns = {500, 60, 500};
            SessionOutcome.Completed outcome = completed(h.run(DriverHarness.request(h.transcriptionConfig(), turns),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, turns))));
            assertEquals(List.of(TurnStatus.COMPLETED, TurnStatus.SKIPPED, TurnStatus.COMPLETED),
                    outcome.turns().stream().map(TurnResult::status).toList());
            assertEquals("TURN_TOO_SHORT", outcome.turns().get(1).reason().orElseThrow());
            assertEquals(2, h.peer.connections().getFirst().received("input_audio_buffer.commit").size());
            assertEquals(ProviderScript.transcriptOf(DriverHarness.turnAudio(2, 500)), outcome.turns().get(2).transcript());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldClearInsteadOfCommittingWhenTheAudioIsShorterThanPlanned(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> { })) {
            var request = DriverHarness.request(h.transcriptionConfig(), 500, 500);
            // turn 0 claims 500 ms but carries 50 ms of audio
            var pieces = new ArrayList<>(DriverHarness.pieces(CHUNK, 50, 500));
            SessionOutcome.Completed outcome = completed(h.run(request, new ListAudioPublisher(pieces)));
            assertEquals(TurnStatus.SKIPPED, outcome.turns().get(0).status());
            assertEquals(List.of("input_audio_buffer.clear"), h.peer.connections().getFirst().receivedTypes().stream()
                    .filter(t -> t.equals("input_audio_buffer.clear")).toList());
            assertEquals(ProviderScript.transcriptOf(DriverHarness.turnAudio(1, 500)), outcome.turns().get(1).transcript());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldSplitLargeChunksIntoSampleAlignedAppendsOfAtMost256KiB(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> { })) {
            long[] turns = {13_000}; // 624,000 bytes in one chunk
            SessionOutcome.Completed outcome = completed(h.run(DriverHarness.request(h.transcriptionConfig(), turns),
                    new ListAudioPublisher(DriverHarness.pieces(1_000_000, turns))));
            assertTranscriptsMatchAudio(outcome, turns);
            List<Integer> sizes = h.peer.connections().getFirst().received("input_audio_buffer.append").stream()
                    .map(e -> Base64.getDecoder().decode(e.path("audio").asText()).length).toList();
            assertEquals(3, sizes.size());
            assertTrue(sizes.stream().allMatch(n -> n <= 256 * 1024 && n % 2 == 0), sizes.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldPullAudioOnePieceAtATime(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> { })) {
            long[] turns = {2_000, 2_000};
            ListAudioPublisher audio = new ListAudioPublisher(DriverHarness.pieces(4_800, turns));
            completed(h.run(DriverHarness.request(h.transcriptionConfig(), turns), audio));
            assertEquals(1, audio.maxOutstanding.get(), "never more than one piece requested ahead");
            assertEquals(40, h.peer.connections().getFirst().received("input_audio_buffer.append").size(),
                    "one append per chunk");
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldRotateToANewConnectionBetweenTurnsWhenTheSessionIsOld(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> { })) {
            h.settings = new DriverSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ZERO);
            long[] turns = {500, 500, 500};
            SessionOutcome.Completed outcome = completed(h.run(DriverHarness.request(h.transcriptionConfig(), turns),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, turns))));
            assertTranscriptsMatchAudio(outcome, turns);
            assertEquals(2, outcome.rotations());
            assertEquals(3, h.peer.connections().size());
            h.peer.connections().forEach(c -> {
                assertEquals("session.update", c.receivedTypes().getFirst(), "every connection is configured in full");
                assertEquals(1, c.received("input_audio_buffer.commit").size());
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldFailPermanentlyWhenTheAudioIsGone(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> { })) {
            SessionOutcome.Failed outcome = failed(h.run(DriverHarness.request(h.transcriptionConfig(), 500, 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500),
                            new AudioUnavailableException("AUDIO_EXPIRED", "offset 12 of audio-chunks-0 was deleted"))));
            assertEquals(FailureClass.PERMANENT, outcome.classification().failureClass());
            assertEquals("AUDIO_EXPIRED", outcome.classification().reason());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldAbortTheSocketWhenTheCallerCancels(Dialect dialect) throws Exception {
        try (DriverHarness h = harness(dialect, s -> s.stallTranscriptions = true)) {
            var future = h.driver().run(DriverHarness.request(h.transcriptionConfig(), 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500)));
            Await.until(() -> !h.peer.connections().isEmpty()
                            && !h.peer.connections().getFirst().received("input_audio_buffer.commit").isEmpty(),
                    Duration.ofSeconds(10), "the session to commit its turn");
            future.cancel(true);
            assertTrue(h.peer.connections().getFirst().awaitCloseCode(Duration.ofSeconds(10)) > 0,
                    "the socket is gone after cancel");
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldCompleteAResponseOnlySessionWithoutTranscription(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> { })) {
            var config = h.responseConfig();
            config.setTranscription(null);
            SessionOutcome.Completed outcome = completed(h.run(DriverHarness.request(config, 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500))));
            assertEquals(TurnStatus.COMPLETED, outcome.turns().getFirst().status());
            assertEquals("", outcome.turns().getFirst().transcript());
            assertEquals(1, outcome.responses().size());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldFailPermanentlyOnAConfigNoProviderAccepts(Dialect dialect) throws Exception {
        try (DriverHarness h = harness(dialect, s -> { })) {
            var config = h.transcriptionConfig();
            config.setTranscription(null);
            SessionOutcome.Failed outcome = failed(h.driver().run(DriverHarness.request(config, 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500))).get(10, TimeUnit.SECONDS));
            assertEquals("CONFIG_ERROR", outcome.classification().reason());
            assertTrue(h.peer.connections().isEmpty(), "nothing is sent for a config that cannot work");
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldNotLeakTheApiKeyIntoOutcomesOrDescriptions(Dialect dialect) {
        try (DriverHarness h = harness(dialect, s -> { })) {
            h.peer.refuseUpgradesWith(401);
            SessionOutcome.Failed outcome = failed(h.run(DriverHarness.request(h.transcriptionConfig(), 500),
                    new ListAudioPublisher(DriverHarness.pieces(CHUNK, 500))));
            String secret = h.apiKey.orElseThrow().reveal();
            assertFalse(outcome.toString().contains(secret));
            assertFalse(h.endpoint().toString().contains(secret));
            assertFalse(h.apiKey.get().toString().contains(secret));
            var settings = SessionSettings.from(h.transcriptionConfig(), dialect);
            assertFalse(h.endpoint().connectRequest(settings, "k").toString().contains(secret));
        }
    }
}
