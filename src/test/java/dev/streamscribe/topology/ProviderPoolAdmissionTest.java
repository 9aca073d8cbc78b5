package dev.streamscribe.topology;

import dev.streamscribe.cost.SpendLedger;
import dev.streamscribe.metrics.PipelineMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Admission over a pool of providers: priority, passing over one that cannot take sessions, never one not eligible. */
class ProviderPoolAdmissionTest {
    private static final long T = 1_000_000;
    private final PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
    private final AtomicLong clock = new AtomicLong(T);
    private final ProviderGate primary = provider("primary", 1);
    private final ProviderGate backup = provider("backup", 2);
    private final AdmissionGate gate = new AdmissionGate(List.of(primary, backup), AdmissionGate.LiveShare.DEFAULTS,
            SpendLedger.UNTRACKED);

    private ProviderGate provider(String name, int slots) {
        return new ProviderGate(name, slots, new ProviderBreaker(new ProviderBreaker.Settings(1, Duration.ofSeconds(5),
                Duration.ofMinutes(1), Duration.ofSeconds(1)), clock::get), Duration.ofHours(1), metrics);
    }

    private Optional<String> admitted(long nowMs) {
        return gate.tryAcquire(nowMs, AdmissionGate.Claim.BATCH).map(slot -> slot.provider().name());
    }

    @Test
    void aSessionGoesToTheHighestPriorityProviderAndWaitsForItWhileItIsOnlyFull() {
        assertEquals(Optional.of("primary"), admitted(T));
        assertEquals(Optional.empty(), admitted(T), "primary is full: the session waits for it, not for the backup");
        assertEquals(1, gate.inFlight());
    }

    @Test
    void aProviderPausedForARateLimitOrAQuotaIsPassedOverForTheNext() {
        primary.rateLimitHit(T);
        assertEquals(Optional.of("backup"), admitted(T));
        assertEquals(Optional.of("primary"), admitted(T + 1_000), "the pause is over");
        primary.quotaExhausted(T + 1_000);
        assertEquals(Optional.of("backup"), admitted(T + 2_000));
    }

    @Test
    void aProviderWhoseBreakerIsOpenIsPassedOverUntilItsProbe() {
        primary.breaker().connectionFailed("s1");
        assertEquals(ProviderBreaker.State.OPEN, primary.breaker().state());
        assertEquals(Optional.of("backup"), admitted(T));
        clock.set(T + 5_000);
        assertEquals(Optional.of("primary"), admitted(T + 5_000), "one session probes the primary");
        assertEquals(Optional.of("backup"), admitted(T + 5_000), "while its probe is out, the others go on");
    }

    @Test
    void aSessionGoesOnlyToAProviderItMayUse() {
        assertEquals(Optional.of("backup"), gate.tryAcquire(T, AdmissionGate.Claim.BATCH, "backup"::equals)
                .map(slot -> slot.provider().name()));
        assertEquals(Optional.empty(), gate.tryAcquire(T, AdmissionGate.Claim.BATCH, "nobody"::equals));
    }

    @Test
    void aReleasedSlotIsGivenBackToItsProvider() {
        AdmissionGate.Slot slot = gate.tryAcquire(T, AdmissionGate.Claim.BATCH).orElseThrow();
        assertEquals(1, primary.inFlight());
        slot.release();
        assertEquals(0, primary.inFlight());
        assertTrue(admitted(T).isPresent());
    }
}
