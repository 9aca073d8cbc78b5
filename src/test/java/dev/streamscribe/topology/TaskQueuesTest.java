package dev.streamscribe.topology;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The order in which a task's waiting sessions are offered a slot. */
class TaskQueuesTest {
    private final TaskQueues queues = new TaskQueues();

    private String takeDue(long nowMs) {
        TaskQueues.Waiting due = queues.peekDue(nowMs).orElseThrow();
        queues.take(due);
        return due.sessionId();
    }

    @Test
    void aLiveSessionsTurnGoesBeforeBatchSessionsThatWaitedLonger() {
        queues.enqueue("batch-1", 100, false);
        queues.enqueue("batch-2", 200, false);
        queues.enqueue("live", 300, true);
        assertEquals("live", takeDue(1_000));
        assertEquals("batch-1", takeDue(1_000));
        assertEquals("batch-2", takeDue(1_000));
        assertEquals(Optional.empty(), queues.peekDue(1_000));
    }

    @Test
    void aLiveSessionWaitingOutABackoffDoesNotHoldUpBatchSessionsDueNow() {
        queues.enqueue("live-retry", 5_000, true);
        queues.enqueue("batch", 100, false);
        assertEquals("batch", takeDue(1_000));
        assertEquals(Optional.empty(), queues.peekDue(1_000));
        assertEquals("live-retry", takeDue(5_000));
    }

    @Test
    void takingAnythingButTheSessionDueIsRefused() {
        queues.enqueue("a", 100, false);
        assertThrows(IllegalStateException.class, () -> queues.take(new TaskQueues.Waiting("b", 100, false)));
    }
}
