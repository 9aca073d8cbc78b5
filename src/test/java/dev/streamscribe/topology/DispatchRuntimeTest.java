package dev.streamscribe.topology;

import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.RealtimeEndpoint;
import dev.streamscribe.realtime.driver.DriverSettings;
import dev.streamscribe.realtime.driver.RealtimeSessionDriver;
import dev.streamscribe.realtime.event.RateLimit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Admission control: the JVM-wide slot limit, rate-limit pauses, and the stop of admission. */
class DispatchRuntimeTest {
    private static final long T = 1_000_000;
    private final AudioReader reader = new AudioReader(Map.of("bootstrap.servers", "127.0.0.1:1"), "audio",
            (Deserializer<dev.streamscribe.avro.AudioChunk>) (topic, data) -> null, 1);
    private final PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
    private final DispatchRuntime runtime = new DispatchRuntime(new RealtimeSessionDriver(new RealtimeEndpoint(Dialect.OPENAI_GA,
            URI.create("ws://127.0.0.1:1/v1/realtime"), Optional.empty()),
            (request, listener) -> CompletableFuture.failedFuture(new IllegalStateException("unused")),
            DriverSettings.defaults(), Runnable::run, Executors.newSingleThreadScheduledExecutor()), reader, 2, 3,
            Duration.ofSeconds(1), metrics);

    @AfterEach
    void close() {
        reader.close();
    }

    @Test
    void shouldAdmitNoMoreThanTheLimit() {
        assertTrue(runtime.tryAcquireSlot(T));
        assertTrue(runtime.tryAcquireSlot(T));
        assertFalse(runtime.tryAcquireSlot(T));
        assertEquals(2, runtime.inFlight());
        runtime.releaseSlot();
        assertTrue(runtime.tryAcquireSlot(T));
    }

    @Test
    void shouldPauseAdmissionAfterARateLimitAndBackOffFurtherOnRepeats() {
        runtime.rateLimitHit(T);
        assertFalse(runtime.tryAcquireSlot(T + 999));
        assertTrue(runtime.tryAcquireSlot(T + 1_000));
        runtime.releaseSlot();
        runtime.rateLimitHit(T + 1_000);
        assertFalse(runtime.tryAcquireSlot(T + 2_999), "the second hit in a row pauses twice as long");
        assertTrue(runtime.tryAcquireSlot(T + 3_000));
        runtime.rateLimitClear();
        runtime.releaseSlot();
        runtime.rateLimitHit(T + 5_000);
        assertTrue(runtime.tryAcquireSlot(T + 6_000), "a success resets the back-off");
        assertEquals(3.0, metrics.registry().get(PipelineMetrics.RATE_LIMITED).counter().count());
    }

    @Test
    void shouldPauseWhenTheProviderReportsAlmostNothingLeft() {
        runtime.rateLimitsReported(List.of(new RateLimit("tokens", 50_000, 40_000, 60)), T);
        assertTrue(runtime.tryAcquireSlot(T), "plenty left: no pause");
        runtime.releaseSlot();
        runtime.rateLimitsReported(List.of(new RateLimit("requests", 1_000, 50, 2.5)), T);
        assertFalse(runtime.tryAcquireSlot(T + 2_499));
        assertTrue(runtime.tryAcquireSlot(T + 2_500), "admission resumes when the limit resets");
    }

    @Test
    void shouldAdmitNothingOnceStopping() {
        runtime.stopAdmission();
        assertFalse(runtime.tryAcquireSlot(T));
        assertTrue(runtime.drained());
    }
}
