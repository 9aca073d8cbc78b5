package dev.streamscribe.realtime;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.realtime.driver.ContextTurn;
import dev.streamscribe.realtime.driver.ResponseResult;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.driver.TurnCheckpoint;
import dev.streamscribe.realtime.driver.TurnListener;
import dev.streamscribe.realtime.driver.TurnResult;
import dev.streamscribe.realtime.driver.TurnSpec;
import dev.streamscribe.testing.ListAudioPublisher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection that resumes a conversation (turns 0 and 1 finished on an earlier one) restores them before turn 2:
 * as text items when it can, by re-sending audio when a turn has no transcript or the provider refuses the items.
 * Against the scripted peer, so every acknowledgement and refusal is exact.
 */
class ConversationResumeTest {
    private static final long[] TURNS = {600, 700, 800, 500};

    /** Every turn of the plan is given (the context turns' audio is at hand for a fallback); 0 and 1 are context. */
    private static SessionRequest resumed(SessionConfig config, ContextTurn... context) {
        List<TurnSpec> turns = DriverHarness.request(config, TURNS).turns();
        return new SessionRequest("s-1", "r-1", 1, config, turns, List.of(context));
    }

    private record Run(SessionOutcome.Completed outcome, List<String> items, int commits, List<String> streamed,
                       List<Integer> checkpointed) {
    }

    private static Run run(Dialect dialect, int refuseItemsFrom, ContextTurn... context) {
        List<String> streamed = new CopyOnWriteArrayList<>();
        List<Integer> checkpointed = new CopyOnWriteArrayList<>();
        try (DriverHarness h = new DriverHarness(dialect, script -> script.refuseItemsFrom = refuseItemsFrom)) {
            SessionOutcome outcome = h.driver().run(resumed(h.responseConfig(), context),
                    new ListAudioPublisher(DriverHarness.pieces(24_000, TURNS)), new TurnListener() {
                        @Override
                        public void finished(TurnCheckpoint checkpoint) {
                            checkpointed.add(checkpoint.turn().turnIndex());
                        }

                        @Override
                        public void streaming(TurnSpec turn, boolean asContext) {
                            streamed.add(turn.turnIndex() + (asContext ? " as context" : ""));
                        }
                    }).get(60, TimeUnit.SECONDS);
            SessionOutcome.Completed completed = assertInstanceOf(SessionOutcome.Completed.class, outcome,
                    () -> "the session failed: " + outcome);
            return new Run(completed, h.scripts.getFirst().itemsCreated, h.scripts.getFirst().commits(), streamed,
                    checkpointed);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ResponseResult responseOf(Run run, int turn) {
        return run.outcome().responses().stream().filter(r -> r.turnIndex() == turn).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void restoresEarlierTurnsAsTextAndSendsOnlyTheNewTurnsAudio(Dialect dialect) {
        Run run = run(dialect, 0, new ContextTurn(0, Optional.of("hello there"), Optional.of("hi")),
                new ContextTurn(1, Optional.of("how are you"), Optional.of("fine")));
        assertEquals(List.of("user: hello there", "assistant: hi", "user: how are you", "assistant: fine"), run.items(),
                "earlier turns restored in order, one acknowledged item at a time");
        assertEquals(2, run.commits(), "only turns 2 and 3 reach the provider as audio");
        assertEquals(List.of("2", "3"), run.streamed());
        assertEquals(List.of(2, 3), run.outcome().turns().stream().map(TurnResult::turnIndex).toList(),
                "context turns have their results from the earlier connection: none reported again");
        assertEquals(List.of(2, 3), run.checkpointed());
        assertEquals(Optional.of("context restored from text at turn 2"), responseOf(run, 2).context());
        assertEquals(Optional.empty(), responseOf(run, 3).context(), "only the turn the run resumed at says so");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void reSendsTheAudioOfATurnWithoutTranscriptAndRestoresItsAnswerAsText(Dialect dialect) {
        Run run = run(dialect, 0, new ContextTurn(0, Optional.empty(), Optional.of("hi")),
                new ContextTurn(1, Optional.of("how are you"), Optional.of("fine")));
        assertEquals(List.of("assistant: hi", "user: how are you", "assistant: fine"), run.items());
        assertEquals(3, run.commits(), "turn 0's audio, then turns 2 and 3");
        assertEquals(List.of("0 as context", "2", "3"), run.streamed());
        assertEquals(List.of(2, 3), run.outcome().turns().stream().map(TurnResult::turnIndex).toList());
        assertEquals(Optional.of("context restored from text and audio at turn 2"), responseOf(run, 2).context());
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void fallsBackToReSendingTheEarlierTurnsAudioWhenTheProviderRefusesTheItems(Dialect dialect) {
        Run run = run(dialect, 1, new ContextTurn(0, Optional.of("hello there"), Optional.of("hi")),
                new ContextTurn(1, Optional.of("how are you"), Optional.of("fine")));
        assertEquals(List.of(), run.items(), "the first item was refused; none was sent after it");
        assertEquals(4, run.commits(), "turns 0 and 1 re-sent as audio, then 2 and 3");
        assertEquals(List.of("0 as context", "1 as context", "2", "3"), run.streamed());
        assertEquals(List.of(2, 3), run.outcome().turns().stream().map(TurnResult::turnIndex).toList());
        assertTrue(run.outcome().turns().stream().allMatch(t -> t.status() == TurnStatus.COMPLETED));
        String note = responseOf(run, 2).context().orElseThrow();
        assertTrue(note.startsWith("context restored from audio at turn 2 (CONTEXT_REFUSED"), note);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void keepsWhatTheProviderAcceptedBeforeARefusal(Dialect dialect) {
        Run run = run(dialect, 3, new ContextTurn(0, Optional.of("hello there"), Optional.of("hi")),
                new ContextTurn(1, Optional.of("how are you"), Optional.of("fine")));
        assertEquals(List.of("user: hello there", "assistant: hi"), run.items());
        assertEquals(List.of("1 as context", "2", "3"), run.streamed(), "turn 1, whose item was refused, goes as audio");
        assertTrue(responseOf(run, 2).context().orElseThrow().startsWith("context restored from text and audio at turn 2"));
    }
}
