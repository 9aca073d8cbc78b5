package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.StartPolicy;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.driver.TurnSpec;
import dev.streamscribe.testing.TestConfigs;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plans of complete sessions and the complete turns of live ones. */
class TurnPlannerTest {
    private static final SessionConfig LIVE = live();

    private static SessionConfig live() {
        SessionConfig config = TestConfigs.transcription(Dialect.OPENAI_GA, "s");
        config.setStart(StartPolicy.AT_FIRST_TURN);
        return config;
    }

    /** A chunk of {@code ms} of pcm16 at 24 kHz. */
    private static ChunkRef chunk(long seq, int turn, int ms, boolean endOfTurn, boolean endOfSession) {
        return new ChunkRef(seq, 0, seq, ms * 48, new byte[16], turn, endOfTurn || endOfSession, endOfSession);
    }

    private static TurnPlanner.Plan.Turns prefix(ChunkRef... refs) {
        return assertInstanceOf(TurnPlanner.Plan.Turns.class, TurnPlanner.prefix(LIVE, List.of(refs).iterator()));
    }

    @Test
    void theCompleteTurnsOfALiveSessionStopAtATurnStillOpen() {
        TurnPlanner.Plan.Turns turns = prefix(chunk(0, 0, 500, false, false), chunk(1, 0, 500, true, false),
                chunk(2, 1, 300, false, false));
        assertEquals(List.of(new TurnSpec(0, 0, 1_000, false)), turns.turns());
        assertFalse(turns.ended());
        assertEquals(1, turns.lastSeq(), "the open turn's chunks are not part of it");
    }

    @Test
    void theCompleteTurnsOfALiveSessionStopAtAMissingSeq() {
        TurnPlanner.Plan.Turns turns = prefix(chunk(0, 0, 500, true, false), chunk(2, 1, 300, true, false));
        assertEquals(1, turns.turns().size());
        assertEquals(0, turns.lastSeq());
    }

    @Test
    void aLiveSessionWithNoCompleteTurnYetHasAnEmptyPlanNotARejection() {
        TurnPlanner.Plan.Turns turns = prefix(chunk(0, 0, 50, false, false));
        assertTrue(turns.turns().isEmpty());
        TurnPlanner.Plan.Turns tooShortSoFar = prefix(chunk(0, 0, 50, true, false));
        assertEquals(1, tooShortSoFar.turns().size(), "NO_AUDIO is judged only at the end");
    }

    @Test
    void anEmptyChunkThatOnlyCarriesTheEndClosesTheSessionAfterTheLastTurn() {
        TurnPlanner.Plan.Turns turns = prefix(chunk(0, 0, 500, true, false), chunk(1, 1, 400, true, false),
                chunk(2, 2, 0, true, true));
        assertEquals(2, turns.turns().size(), "no empty third turn");
        assertTrue(turns.ended());
        assertEquals(1, turns.lastSeq(), "the end chunk belongs to no turn: no connection is given it");
    }

    @Test
    void aCompleteSessionPlansEveryTurnAsBefore() {
        TurnPlanner.Plan.Turns turns = assertInstanceOf(TurnPlanner.Plan.Turns.class, TurnPlanner.plan(LIVE,
                List.of(chunk(0, 0, 500, true, false), chunk(1, 1, 400, true, true))));
        assertEquals(List.of(new TurnSpec(0, 0, 500, false), new TurnSpec(1, 500, 900, false)), turns.turns());
        assertTrue(turns.ended());
        assertEquals(900, turns.audioMs());
    }

    @Test
    void aLiveSessionThatEndsWithoutASendableTurnIsRejectedNoAudio() {
        TurnPlanner.Plan plan = TurnPlanner.prefix(LIVE, List.of(chunk(0, 0, 50, true, true)).iterator());
        assertEquals("NO_AUDIO", assertInstanceOf(TurnPlanner.Plan.Rejected.class, plan).reason());
    }
}
