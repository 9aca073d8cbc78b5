package dev.streamscribe.topology;

import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.event.RateLimit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Admission control: the JVM-wide slot limit, the slots kept for live sessions, rate-limit pauses, and the stop. */
class AdmissionGateTest {
    private static final long T = 1_000_000;
    private final PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
    private final AdmissionGate gate = new AdmissionGate(2, metrics);
    private final List<AdmissionGate.Slot> taken = new ArrayList<>();

    /** Whether a batch session is admitted at {@code nowMs}; the slot is kept for {@link #releaseAll}. */
    private boolean admits(AdmissionGate on, long nowMs) {
        return on.tryAcquire(nowMs, AdmissionGate.Claim.BATCH).map(taken::add).orElse(false);
    }

    private void releaseAll() {
        taken.forEach(AdmissionGate.Slot::release);
        taken.clear();
    }

    private AdmissionGate gateWithLiveShare(int slots, int reserved, int places) {
        return new AdmissionGate(slots, metrics, new ProviderBreaker(ProviderBreaker.Settings.DEFAULTS),
                Duration.ofHours(1), new AdmissionGate.LiveShare(reserved, places));
    }

    @Test
    void batchSessionsMayUseEverySlotWhileNoLiveTurnWaitsAndNothingIsReserved() {
        AdmissionGate shared = gateWithLiveShare(3, 0, 10);
        assertTrue(shared.livePlaces().take("live-1", "r1"), "a live session between turns, nothing due");
        assertTrue(admits(shared, T) && admits(shared, T) && admits(shared, T));
    }

    @Test
    void aSlotThatFreesWhileALiveTurnWaitsGoesToTheLiveSessionNotABatchSession() {
        AdmissionGate shared = gateWithLiveShare(2, 0, 10);
        assertTrue(admits(shared, T) && admits(shared, T));
        assertTrue(shared.livePlaces().take("live-1", "r1"));
        assertTrue(shared.tryAcquire(T, AdmissionGate.Claim.LIVE).isEmpty(), "every slot is taken");
        shared.livePlaces().waitsForSlot("live-1");
        taken.removeFirst().release();
        assertFalse(admits(shared, T), "the freed slot is kept for the live turn");
        shared.tryAcquire(T, AdmissionGate.Claim.LIVE).orElseThrow();
        shared.livePlaces().stopsWaiting("live-1");
        assertEquals(1, shared.liveInFlight());
        taken.removeFirst().release();
        assertTrue(admits(shared, T), "no live turn waits: batch sessions take free slots again");
    }

    @Test
    void theReserveKeepsSlotsForLiveSessionsLessThoseTheyHold() {
        AdmissionGate shared = gateWithLiveShare(4, 2, 10);
        assertTrue(admits(shared, T) && admits(shared, T));
        assertFalse(admits(shared, T), "two slots are reserved");
        assertTrue(shared.livePlaces().take("live-1", "r1"));
        AdmissionGate.Slot first = shared.tryAcquire(T, AdmissionGate.Claim.LIVE).orElseThrow();
        assertFalse(admits(shared, T), "one live session holds one of the two: the other is still reserved");
        assertTrue(shared.livePlaces().take("live-2", "r1"));
        shared.tryAcquire(T, AdmissionGate.Claim.LIVE).orElseThrow();
        assertEquals(0, shared.liveWaiting());
        releaseAll();
        assertTrue(admits(shared, T) && admits(shared, T), "live sessions hold the reserve: the rest is for batch");
        first.release();
        assertEquals(1, shared.liveWaiting(), "live-1 has its place and no connection");
        assertFalse(admits(shared, T), "the slot live-1 gave back is reserved again");
    }

    @Test
    void theReserveIsNeverMoreThanTheSlotsThereAre() {
        AdmissionGate shared = gateWithLiveShare(2, 50, 10);
        assertFalse(admits(shared, T));
        assertTrue(shared.livePlaces().take("live-1", "r1"));
        assertTrue(shared.tryAcquire(T, AdmissionGate.Claim.LIVE).isPresent());
        assertTrue(shared.tryAcquire(T, AdmissionGate.Claim.LIVE).isPresent(), "every slot may go to live sessions");
    }

    @Test
    void shouldAdmitNoMoreThanTheLimit() {
        AdmissionGate.Slot first = gate.tryAcquire(T, AdmissionGate.Claim.BATCH).orElseThrow();
        assertTrue(admits(gate, T));
        assertFalse(admits(gate, T));
        assertEquals(2, gate.inFlight());
        first.release();
        first.release();
        assertEquals(1, gate.inFlight(), "a slot released twice is released once");
        assertTrue(admits(gate, T));
    }

    @Test
    void shouldPauseAdmissionAfterARateLimitAndBackOffFurtherOnRepeats() {
        gate.primary().rateLimitHit(T);
        assertFalse(admits(gate, T + 999));
        assertTrue(admits(gate, T + 1_000));
        releaseAll();
        gate.primary().rateLimitHit(T + 1_000);
        assertFalse(admits(gate, T + 2_999), "the second hit in a row pauses twice as long");
        assertTrue(admits(gate, T + 3_000));
        gate.primary().rateLimitClear();
        releaseAll();
        gate.primary().rateLimitHit(T + 5_000);
        assertTrue(admits(gate, T + 6_000), "a success resets the back-off");
        assertEquals(3.0, metrics.registry().get(PipelineMetrics.RATE_LIMITED).counter().count());
    }

    @Test
    void shouldPauseWhenTheProviderReportsAlmostNothingLeft() {
        gate.primary().rateLimitsReported(List.of(new RateLimit("tokens", 50_000, 40_000, 60)), T);
        assertTrue(admits(gate, T), "plenty left: no pause");
        releaseAll();
        gate.primary().rateLimitsReported(List.of(new RateLimit("requests", 1_000, 50, 2.5)), T);
        assertFalse(admits(gate, T + 2_499));
        assertTrue(admits(gate, T + 2_500), "admission resumes when the limit resets");
    }

    @Test
    void shouldPauseForAnExhaustedQuotaUntilAnOperatorResumesTheProvider() {
        gate.primary().quotaExhausted(T);
        assertFalse(admits(gate, T + 60_000), "no end of its own for an hour");
        gate.resumeProvider(T - 1);
        assertFalse(admits(gate, T + 60_000), "a resume issued before the refusal does not end it");
        gate.resumeProvider(T + 30_000);
        assertTrue(admits(gate, T + 60_000));
        assertEquals(0, gate.primary().quotaPausedUntilMs());
    }

    @Test
    void shouldEndAQuotaPauseOnItsOwnAfterTheConfiguredTime() {
        AdmissionGate fiveMinutes = new AdmissionGate(1, metrics, new ProviderBreaker(ProviderBreaker.Settings.DEFAULTS),
                Duration.ofMinutes(5), AdmissionGate.LiveShare.DEFAULTS);
        fiveMinutes.primary().quotaExhausted(T);
        assertFalse(admits(fiveMinutes, T + 299_999));
        assertTrue(admits(fiveMinutes, T + 300_000));
    }

    @Test
    void shouldAdmitNothingOnceStopping() {
        gate.stopAdmission();
        assertFalse(admits(gate, T));
        assertEquals(0, gate.inFlight());
    }
}
