package dev.streamscribe.topology;

import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.testing.TestConfigs;
import dev.streamscribe.topology.SessionState.Status;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session lifecycle's named transitions: each legal move, and a refusal naming both states for the rest. */
class SessionStateTest {
    private static final byte[] CONFIG = SessionState.encode(TestConfigs.transcription(Dialect.OPENAI_GA, "s"));

    private static SessionState assembling() {
        return SessionState.empty().newRun(CONFIG, "run-1");
    }

    @Test
    void aNewRunStartsAssemblingAtAttemptZero() {
        SessionState state = assembling();
        assertEquals(Status.ASSEMBLING, state.status());
        assertEquals("run-1", state.runToken());
        assertEquals(0, state.attempt());
    }

    @Test
    void admissionCountsAttemptsAndARetryKeepsThem() {
        SessionState first = assembling().ready().admitted();
        assertEquals(Status.IN_FLIGHT, first.status());
        assertEquals(1, first.attempt());
        SessionState waiting = first.retryPending();
        assertEquals(Status.READY, waiting.status());
        assertEquals(1, waiting.attempt(), "a retry keeps the attempts made");
        assertEquals(2, waiting.admitted().attempt());
    }

    @Test
    void aSessionFoundInFlightAfterARestoreGoesOutOnANewConnectionWithoutSpendingAnAttempt() {
        SessionState restored = assembling().ready().admitted();
        SessionState again = restored.redispatched();
        assertEquals(Status.IN_FLIGHT, again.status());
        assertEquals(1, again.attempt(), "no session-specific failure happened: realtime.max-attempts is not spent");
        assertEquals(2, again.connections(), "a new connection number, never reused");
        assertEquals(2, again.crashLoop(), "two connections in a row ended with no outcome");
        assertThrows(IllegalStateException.class, () -> assembling().ready().redispatched(), "only IN_FLIGHT");
        assertThrows(IllegalStateException.class, restored::admitted, "admission is from READY only");
    }

    @Test
    void aLiveRunWaitsForItsNextTurnAndGoesOutAgainWithoutSpendingAnAttempt() {
        SessionState first = assembling().ready().admitted();
        SessionState waiting = first.awaitingTurns();
        assertEquals(Status.ASSEMBLING, waiting.status(), "it expires like any assembling session if no turn comes");
        assertEquals(0, waiting.crashLoop(), "an outcome arrived");
        SessionState due = waiting.liveTurnsDue();
        assertEquals(Status.IN_FLIGHT, due.status());
        assertEquals(1, due.attempt(), "waiting for turns is no failure: no attempt spent");
        SessionState reconnected = due.redispatched();
        assertEquals(2, reconnected.connections());
        assertEquals(1, reconnected.attempt());
        SessionState continued = reconnected.liveContinues();
        assertEquals(Status.IN_FLIGHT, continued.status());
        assertEquals(0, continued.crashLoop());
        assertEquals(1, continued.attempt());
        assertTrue(assertThrows(IllegalStateException.class, () -> assembling().liveTurnsDue()).getMessage()
                .contains("ASSEMBLING"), "only a run that has had a connection resumes live");
        assertThrows(IllegalStateException.class, () -> assembling().ready().awaitingTurns(), "only from IN_FLIGHT");
    }

    @Test
    void anAbortedLiveRunEndsFromReadyOrInFlightAndDropsItsConfig() {
        assertEquals(Status.EXPIRED, assembling().ready().abortedLive().status());
        SessionState aborted = assembling().ready().admitted().abortedLive();
        assertEquals(Status.EXPIRED, aborted.status());
        assertTrue(!aborted.hasConfig());
        assertThrows(IllegalStateException.class, () -> assembling().abortedLive(), "an assembling run expires instead");
    }

    @Test
    void anOutcomeEndsTheCrashLoopButConnectionsKeepCounting() {
        SessionState retried = assembling().ready().admitted().redispatched().retryPending();
        assertEquals(0, retried.crashLoop(), "an outcome arrived");
        SessionState next = retried.admitted();
        assertEquals(3, next.connections());
        assertEquals(1, next.crashLoop());
        assertEquals(2, next.attempt());
        assertEquals(0, next.finished().crashLoop());
    }

    @Test
    void finishingKeepsTheAttemptOfTheOutcome() {
        SessionState finished = assembling().ready().admitted().retryPending().admitted().finished();
        assertEquals(Status.FINISHED, finished.status());
        assertEquals(2, finished.attempt());
        assertTrue(finished.status().hasResult());
    }

    @Test
    void onlyAnAssemblingSessionExpires() {
        assertEquals(Status.EXPIRED, assembling().expired().status());
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> assembling().ready().expired());
        assertTrue(refused.getMessage().contains("from READY to EXPIRED"), refused.getMessage());
    }

    @Test
    void illegalMovesNameBothStates() {
        IllegalStateException notReady = assertThrows(IllegalStateException.class, () -> assembling().admitted());
        assertTrue(notReady.getMessage().contains("from ASSEMBLING to IN_FLIGHT"), notReady.getMessage());
        IllegalStateException finishedTwice = assertThrows(IllegalStateException.class,
                () -> assembling().finished().finished());
        assertTrue(finishedTwice.getMessage().contains("from FINISHED to FINISHED"), finishedTwice.getMessage());
        assertThrows(IllegalStateException.class, () -> assembling().retryPending());
        assertThrows(IllegalStateException.class, () -> assembling().ready().ready());
    }

    @Test
    void aNewRunIsRefusedWhileTheCurrentOneHasNoResult() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> assembling().ready().newRun(CONFIG, "run-2"));
        assertTrue(refused.getMessage().contains("run-2"), refused.getMessage());
        assertEquals(Status.ASSEMBLING, assembling().finished().newRun(CONFIG, "run-2").status());
        assertEquals(Status.ASSEMBLING, assembling().expired().newRun(CONFIG, "run-2").status());
    }
}
