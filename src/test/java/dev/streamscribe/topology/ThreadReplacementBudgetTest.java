package dev.streamscribe.topology;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failed stream threads are replaced a bounded number of times within a window, then the instance stops. */
class ThreadReplacementBudgetTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ThreadReplacementBudget budget = new ThreadReplacementBudget(3, Duration.ofMinutes(10), now::get);

    @Test
    void theFourthFailureWithinTheWindowSpendsTheBudget() {
        assertTrue(budget.allowReplacement());
        assertTrue(budget.allowReplacement());
        assertTrue(budget.allowReplacement());
        assertFalse(budget.spent());
        assertFalse(budget.allowReplacement());
        assertTrue(budget.spent());
    }

    @Test
    void failuresOlderThanTheWindowNoLongerCount() {
        budget.allowReplacement();
        budget.allowReplacement();
        budget.allowReplacement();
        now.addAndGet(Duration.ofMinutes(10).toMillis() + 1);
        assertTrue(budget.allowReplacement(), "an occasional failure over months is replaced");
        assertFalse(budget.spent());
    }
}
