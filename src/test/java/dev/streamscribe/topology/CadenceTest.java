package dev.streamscribe.topology;

import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The punctuator's pace: busy while there is work, quiet after a settled idle spell, busy again when work comes. */
class CadenceTest {
    private static final Duration BUSY = Duration.ofMillis(50);
    private static final Duration QUIET = Duration.ofSeconds(5);
    private static final Duration SETTLE = Duration.ofSeconds(2);

    private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
    private final Cadence cadence = Cadence.start(context, BUSY, QUIET, SETTLE, now -> { });

    private List<MockProcessorContext.CapturedPunctuator> live() {
        return context.scheduledPunctuators().stream().filter(p -> !p.cancelled()).toList();
    }

    @Test
    void itStartsAtTheBusyPace() {
        assertEquals(Cadence.Pace.BUSY, cadence.pace());
        assertEquals(List.of(BUSY), live().stream().map(MockProcessorContext.CapturedPunctuator::getInterval).toList());
    }

    @Test
    void itSlowsDownOnlyOnceIdleForTheSettleTime() {
        cadence.ran(1_000, true);
        cadence.ran(2_999, true);
        assertEquals(Cadence.Pace.BUSY, cadence.pace());
        cadence.ran(3_000, true);
        assertEquals(Cadence.Pace.QUIET, cadence.pace());
        assertEquals(List.of(QUIET), live().stream().map(MockProcessorContext.CapturedPunctuator::getInterval).toList(),
                "the busy punctuator is cancelled and one quiet punctuator is left");
    }

    @Test
    void workInBetweenStartsTheIdleSpellAgain() {
        cadence.ran(1_000, true);
        cadence.ran(2_500, false);
        cadence.ran(3_500, true);
        assertEquals(Cadence.Pace.BUSY, cadence.pace(), "idle since 3,500 only");
        cadence.ran(5_500, true);
        assertEquals(Cadence.Pace.QUIET, cadence.pace());
    }

    @Test
    void wakingUpReturnsToTheBusyPaceAtOnceAndIsHarmlessWhenBusy() {
        cadence.wake();
        assertEquals(1, context.scheduledPunctuators().size(), "already busy: nothing rescheduled");
        cadence.ran(0, true);
        cadence.ran(2_000, true);
        cadence.wake();
        assertEquals(Cadence.Pace.BUSY, cadence.pace());
        assertEquals(List.of(BUSY), live().stream().map(MockProcessorContext.CapturedPunctuator::getInterval).toList());
        cadence.ran(2_100, true);
        assertEquals(Cadence.Pace.BUSY, cadence.pace(), "the wake-up started a new settle time");
    }

    @Test
    void aQuietPaceNoSlowerThanTheBusyOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Cadence.start(new MockProcessorContext<Void, Void>(), BUSY, BUSY,
                SETTLE, now -> { }));
    }
}
