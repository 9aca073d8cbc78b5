package dev.streamscribe.topology;

import dev.streamscribe.topology.ProviderBreaker.State;
import dev.streamscribe.topology.ProviderBreaker.Ticket;
import dev.streamscribe.topology.ProviderBreaker.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The provider breaker's state machine and verdicts, on a clock moved by hand. */
class ProviderBreakerTest {
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final ProviderBreaker breaker = new ProviderBreaker(new ProviderBreaker.Settings(3, Duration.ofSeconds(1),
            Duration.ofSeconds(3), Duration.ofSeconds(5)), clock::get);

    private void advance(long millis) {
        clock.addAndGet(millis);
    }

    @Test
    void opensWhenThreeDifferentSessionsFailInARowAndCountsAllThreeAsTheOutage() {
        Ticket first = breaker.connectionFailed("a");
        Ticket second = breaker.connectionFailed("b");
        assertEquals(State.CLOSED, breaker.state());
        assertTrue(breaker.tryAdmit());
        Ticket third = breaker.connectionFailed("c");
        assertEquals(State.OPEN, breaker.state());
        assertFalse(breaker.tryAdmit(), "admission pauses");
        for (Ticket ticket : new Ticket[] {first, second, third}) {
            assertEquals(Verdict.OUTAGE, breaker.verdict(ticket), "the failures that opened it were the outage");
        }
        assertEquals(1, breaker.timesOpened());
    }

    @Test
    void oneSessionFailingRepeatedlyDoesNotOpenIt() {
        breaker.connectionFailed("a");
        breaker.connectionFailed("a");
        breaker.connectionFailed("a");
        assertEquals(State.CLOSED, breaker.state(), "N sessions in a row, not N failures of one session");
    }

    @Test
    void aSuccessInBetweenMakesAFailureTheSessionsOwn() {
        Ticket first = breaker.connectionFailed("a");
        breaker.succeeded();
        breaker.connectionFailed("b");
        breaker.connectionFailed("c");
        assertEquals(State.CLOSED, breaker.state());
        assertEquals(Verdict.ORDINARY, breaker.verdict(first));
    }

    @Test
    void aFailureIsPendingUntilTheGraceHasPassed() {
        Ticket ticket = breaker.connectionFailed("a");
        assertEquals(Verdict.PENDING, breaker.verdict(ticket));
        advance(4_999);
        assertEquals(Verdict.PENDING, breaker.verdict(ticket));
        advance(1);
        assertEquals(Verdict.ORDINARY, breaker.verdict(ticket), "no streak formed within the grace");
    }

    @Test
    void afterThePauseExactlyOneSessionProbesAndItsSuccessClosesTheBreaker() {
        open();
        advance(999);
        assertFalse(breaker.tryAdmit());
        advance(1);
        assertTrue(breaker.tryAdmit(), "the probe");
        assertEquals(State.HALF_OPEN, breaker.state());
        assertFalse(breaker.tryAdmit(), "one probe at a time");
        breaker.succeeded();
        assertEquals(State.CLOSED, breaker.state());
        assertTrue(breaker.tryAdmit());
        assertTrue(breaker.tryAdmit());
    }

    @Test
    void aFailedProbeReopensForTwiceAsLongUpToTheCap() {
        open();
        advance(1_000);
        assertTrue(breaker.tryAdmit());
        Ticket probe = breaker.connectionFailed("probe");
        assertEquals(State.OPEN, breaker.state());
        assertEquals(Verdict.OUTAGE, breaker.verdict(probe));
        advance(1_999);
        assertFalse(breaker.tryAdmit(), "paused for 2 s now");
        advance(1);
        assertTrue(breaker.tryAdmit());
        breaker.connectionFailed("probe");
        advance(2_999);
        assertFalse(breaker.tryAdmit(), "3 s: the cap, not 4 s");
        advance(1);
        assertTrue(breaker.tryAdmit());
        assertEquals(3, breaker.timesOpened());
    }

    @Test
    void aProbeSlotGivenBackUnusedLetsAnotherSessionProbe() {
        open();
        advance(1_000);
        assertTrue(breaker.tryAdmit());
        breaker.slotReleased();
        assertTrue(breaker.tryAdmit());
    }

    @Test
    void failuresWhileOpenArePartOfTheOutageAndFailuresAfterItClosedAreNot() {
        open();
        Ticket during = breaker.connectionFailed("late");
        assertEquals(Verdict.OUTAGE, breaker.verdict(during));
        breaker.succeeded();
        Ticket after = breaker.connectionFailed("d");
        assertEquals(Verdict.PENDING, breaker.verdict(after));
        assertEquals(Verdict.OUTAGE, breaker.verdict(during), "an earlier outage stays an outage");
    }

    @Test
    void remembersWhenTheOutageBeganUntilItCloses() {
        assertEquals(0, breaker.outageSinceMs());
        long began = clock.get();
        open();
        advance(1_000);
        assertTrue(breaker.tryAdmit());
        breaker.connectionFailed("probe");
        assertEquals(began, breaker.outageSinceMs(), "a failed probe continues the same outage");
        breaker.succeeded();
        assertEquals(0, breaker.outageSinceMs());
    }

    private void open() {
        breaker.connectionFailed("a");
        breaker.connectionFailed("b");
        breaker.connectionFailed("c");
        assertEquals(State.OPEN, breaker.state());
    }
}
