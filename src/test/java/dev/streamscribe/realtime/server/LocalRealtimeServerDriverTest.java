package dev.streamscribe.realtime.server;

import dev.streamscribe.avro.OutputModality;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.driver.ResponseResult;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.TurnResult;
import dev.streamscribe.testing.TestConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The driver completes sessions against the local server in every dialect. */
class LocalRealtimeServerDriverTest {
    private static ServerFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ServerFixture();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static SessionOutcome.Completed completed(SessionOutcome outcome) {
        if (outcome instanceof SessionOutcome.Failed failed) {
            throw new AssertionError("session failed: " + failed.classification());
        }
        return assertInstanceOf(SessionOutcome.Completed.class, outcome);
    }

    private static void assertTranscripts(SessionOutcome.Completed outcome, long... turns) {
        for (int i = 0; i < turns.length; i++) {
            TurnResult turn = outcome.turns().get(i);
            assertEquals(TurnStatus.COMPLETED, turn.status(), () -> "turn reason " + turn.reason());
            assertEquals(ServerFixture.expectedTranscript(i, turns[i]), turn.transcript());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldTranscribeASingleTurn(Dialect dialect) {
        SessionOutcome.Completed outcome = completed(fixture.run(dialect, TestConfigs.transcription(dialect, "single"), 1_200));
        assertTranscripts(outcome, 1_200);
        assertEquals(1, outcome.providerSessionIds().size(), "one provider session, named in session.updated");
        assertTrue(outcome.providerSessionIds().getFirst().startsWith("sess_"));
        if (dialect != Dialect.OPENAI_BETA) {
            // gpt-4o-transcribe is token-billed: 1,200 ms is 12 audio tokens in the local server's model
            assertEquals(12, outcome.turns().getFirst().usage().orElseThrow().inputAudioTokens());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldTranscribeEveryTurnOfAMultiTurnSession(Dialect dialect) {
        long[] turns = {700, 1_500, 300, 900};
        assertTranscripts(completed(fixture.run(dialect, TestConfigs.transcription(dialect, "multi"), turns)), turns);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldAnswerEveryTurnWithAnHonestResponse(Dialect dialect) {
        long[] turns = {800, 600};
        SessionOutcome.Completed outcome = completed(fixture.run(dialect, TestConfigs.withResponses(dialect, "resp"), turns));
        assertTranscripts(outcome, turns);
        assertEquals(2, outcome.responses().size());
        for (ResponseResult response : outcome.responses()) {
            assertEquals("completed", response.status());
            assertTrue(response.text().startsWith("Local streamscribe server, no language model: received "), response.text());
            assertTrue(response.usage().isPresent());
        }
        assertTrue(outcome.responses().get(0).text().contains("received 800 ms"), outcome.responses().get(0).text());
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldProduceAnAudioTranscriptForAudioResponses(Dialect dialect) {
        SessionConfig config = TestConfigs.withResponses(dialect, "audio");
        config.getResponse().setOutputModality(OutputModality.AUDIO);
        SessionOutcome.Completed outcome = completed(fixture.run(dialect, config, 500));
        assertTrue(outcome.responses().getFirst().audioTranscript().contains("received 500 ms"));
        assertEquals("", outcome.responses().getFirst().text());
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldRefuseDialectsTheServerDoesNotServe(Dialect dialect) {
        Set<Dialect> others = EnumSet.complementOf(EnumSet.of(dialect));
        try (ServerFixture restricted = new ServerFixture(LocalRealtimeServer.Options
                .defaults(new DeterministicSpeechEngine()).withDialects(others))) {
            SessionOutcome.Failed failed = assertInstanceOf(SessionOutcome.Failed.class,
                    restricted.run(dialect, TestConfigs.transcription(dialect, "x"), 500));
            assertEquals("UPGRADE_REFUSED_404", failed.classification().reason());
            Dialect served = others.iterator().next();
            completed(restricted.run(served, TestConfigs.transcription(served, "y"), 500));
        }
    }
}
