package dev.streamscribe.realtime.server;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.driver.ContextTurn;
import dev.streamscribe.realtime.driver.ResponseResult;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.driver.TurnResult;
import dev.streamscribe.realtime.driver.TurnSpec;
import dev.streamscribe.testing.ListAudioPublisher;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A six-turn conversation dropped after turn 3 and resumed on a new connection, with turns 0-2 restored as text, gets
 * the same responses from the local server as one that never broke: the server's response engine sees the
 * conversation (how many messages came before, and the last user message), so a resume that lost the context answers
 * differently, as the control run shows. The engine here answers from the conversation and the turn's length only:
 * whether a turn's own transcript is ready before its response starts is a race in any provider, and not what is
 * compared.
 */
class ConversationRestoreServerTest {
    private static final long[] TURNS = {600, 700, 800, 500, 900, 400};
    private static ServerFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ServerFixture(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine())
                .withResponses((instructions, turnMillis, transcript, earlier) -> "an answer to " + turnMillis
                        + " ms of audio after " + earlier));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static SessionOutcome.Completed run(Dialect dialect, SessionRequest request) {
        try {
            List<Integer> given = request.turns().stream().map(TurnSpec::turnIndex).toList();
            SessionOutcome outcome = fixture.driver(dialect).run(request, new ListAudioPublisher(
                    TestAudio.pieces(ServerFixture.CHUNK, TURNS).stream().filter(p -> given.contains(p.turnIndex()))
                            .toList())).get(60, TimeUnit.SECONDS);
            return assertInstanceOf(SessionOutcome.Completed.class, outcome, () -> "the session failed: " + outcome);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> responsesFrom(SessionOutcome.Completed outcome, int turn) {
        return outcome.responses().stream().filter(r -> r.turnIndex() >= turn).map(ResponseResult::text).toList();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aResumedConversationGetsTheSameResponsesAsOneThatNeverBroke(Dialect dialect) {
        SessionConfig config = TestConfigs.withResponses(dialect, "conversation");
        SessionRequest whole = TestAudio.request(config, TURNS);
        SessionOutcome.Completed uninterrupted = run(dialect, whole);

        List<ContextTurn> context = new ArrayList<>();
        for (int turn = 0; turn < 3; turn++) {
            TurnResult result = uninterrupted.turns().get(turn);
            context.add(new ContextTurn(turn, Optional.of(result.transcript()),
                    Optional.of(uninterrupted.responses().get(turn).text())));
        }
        int commitsBefore = fixture.server.commitsAccepted();
        int itemsBefore = fixture.server.itemsCreated();
        // the dispatcher gives context turns' audio too (for a fallback); restored as text, it is never sent
        SessionOutcome.Completed resumed = run(dialect, new SessionRequest("conversation", whole.runToken(), 2, config,
                whole.turns(), context));

        assertEquals(responsesFrom(uninterrupted, 3), responsesFrom(resumed, 3));
        assertEquals(Optional.of("context restored from text at turn 3"), resumed.responses().getFirst().context());
        assertEquals(3, fixture.server.commitsAccepted() - commitsBefore, "only turns 3-5 were sent as audio");
        assertEquals(6, fixture.server.itemsCreated() - itemsBefore, "three user and three assistant messages");

        SessionOutcome.Completed withoutContext = run(dialect, new SessionRequest("conversation", whole.runToken(), 2,
                config, whole.turns().subList(3, 6)));
        assertNotEquals(responsesFrom(uninterrupted, 3), responsesFrom(withoutContext, 3),
                "the control: without the earlier turns the server answers differently");
    }
}
