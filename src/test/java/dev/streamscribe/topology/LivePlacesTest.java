package dev.streamscribe.topology;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounded set of live sessions that go before batch sessions. */
class LivePlacesTest {
    private final LivePlaces places = new LivePlaces(2);

    /** a and b take the two places; c finds none and queues. */
    private void takeBothPlacesAndQueueC() {
        assertTrue(places.take("a", "r1"));
        assertTrue(places.take("b", "r1"));
        assertFalse(places.take("c", "r1"));
    }

    @Test
    void aSessionKeepsItsPlaceBetweenConnections() {
        assertTrue(places.take("a", "r1"));
        assertTrue(places.take("a", "r1"));
        assertEquals(1, places.held());
    }

    @Test
    void aLiveSessionPastTheLimitQueuesUntilAPlaceFrees() {
        takeBothPlacesAndQueueC();
        assertEquals(1, places.queued());
        places.leave("a");
        assertTrue(places.take("c", "r1"));
        assertEquals(0, places.queued());
        assertEquals(2, places.held());
    }

    @Test
    void aNewRunOfASessionTakesOverItsPlace() {
        assertTrue(places.take("a", "r1"));
        assertTrue(places.take("b", "r1"));
        assertTrue(places.take("a", "r2"), "the session's own place, not a new one");
        assertTrue(places.holds("a", "r2"));
        assertFalse(places.holds("a", "r1"));
    }

    @Test
    void leavingGivesBackAQueuedSessionsTurnToo() {
        takeBothPlacesAndQueueC();
        places.leave("c");
        assertEquals(0, places.queued());
    }

    @Test
    void onlyASessionWithAPlaceHoldsASlotBackWhileItsTurnWaits() {
        takeBothPlacesAndQueueC();
        places.waitsForSlot("a");
        places.waitsForSlot("c");
        assertEquals(1, places.waitingForSlot(), "c queues like a batch session");
        places.stopsWaiting("a");
        assertEquals(0, places.waitingForSlot());
        places.waitsForSlot("b");
        places.leave("b");
        assertEquals(0, places.waitingForSlot(), "a session that leaves waits no more");
    }
}
