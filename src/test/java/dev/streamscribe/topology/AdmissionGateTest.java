package dev.streamscribe.topology;

import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.event.RateLimit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Admission control: the JVM-wide slot limit, rate-limit pauses, and the stop of admission. */
class AdmissionGateTest {
    private static final long T = 1_000_000;
    private final PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
    private final AdmissionGate gate = new AdmissionGate(2, metrics);

    @Test
    void shouldAdmitNoMoreThanTheLimit() {
        assertTrue(gate.tryAcquire(T));
        assertTrue(gate.tryAcquire(T));
        assertFalse(gate.tryAcquire(T));
        assertEquals(2, gate.inFlight());
        gate.release();
        assertTrue(gate.tryAcquire(T));
    }

    @Test
    void shouldPauseAdmissionAfterARateLimitAndBackOffFurtherOnRepeats() {
        gate.rateLimitHit(T);
        assertFalse(gate.tryAcquire(T + 999));
        assertTrue(gate.tryAcquire(T + 1_000));
        gate.release();
        gate.rateLimitHit(T + 1_000);
        assertFalse(gate.tryAcquire(T + 2_999), "the second hit in a row pauses twice as long");
        assertTrue(gate.tryAcquire(T + 3_000));
        gate.rateLimitClear();
        gate.release();
        gate.rateLimitHit(T + 5_000);
        assertTrue(gate.tryAcquire(T + 6_000), "a success resets the back-off");
        assertEquals(3.0, metrics.registry().get(PipelineMetrics.RATE_LIMITED).counter().count());
    }

    @Test
    void shouldPauseWhenTheProviderReportsAlmostNothingLeft() {
        gate.rateLimitsReported(List.of(new RateLimit("tokens", 50_000, 40_000, 60)), T);
        assertTrue(gate.tryAcquire(T), "plenty left: no pause");
        gate.release();
        gate.rateLimitsReported(List.of(new RateLimit("requests", 1_000, 50, 2.5)), T);
        assertFalse(gate.tryAcquire(T + 2_499));
        assertTrue(gate.tryAcquire(T + 2_500), "admission resumes when the limit resets");
    }

    @Test
    void shouldPauseForAnExhaustedQuotaUntilAnOperatorResumesTheProvider() {
        gate.quotaExhausted(T);
        assertFalse(gate.tryAcquire(T + 60_000), "no end of its own for an hour");
        gate.resumeProvider(T - 1);
        assertFalse(gate.tryAcquire(T + 60_000), "a resume issued before the refusal does not end it");
        gate.resumeProvider(T + 30_000);
        assertTrue(gate.tryAcquire(T + 60_000));
        assertEquals(0, gate.quotaPausedUntilMs());
    }

    @Test
    void shouldEndAQuotaPauseOnItsOwnAfterTheConfiguredTime() {
        AdmissionGate fiveMinutes = new AdmissionGate(1, metrics, new ProviderBreaker(ProviderBreaker.Settings.DEFAULTS),
                Duration.ofMinutes(5));
        fiveMinutes.quotaExhausted(T);
        assertFalse(fiveMinutes.tryAcquire(T + 299_999));
        assertTrue(fiveMinutes.tryAcquire(T + 300_000));
    }

    @Test
    void shouldAdmitNothingOnceStopping() {
        gate.stopAdmission();
        assertFalse(gate.tryAcquire(T));
        assertEquals(0, gate.inFlight());
    }
}
