package dev.streamscribe.topology;

import dev.streamscribe.cost.Budget;
import dev.streamscribe.cost.PriceTable;
import dev.streamscribe.cost.Pricing;
import dev.streamscribe.cost.SpendLedger;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.event.ProviderUsage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The provider's lines of /health and the status report: an outage, an exhausted quota, and a pause long enough for
 * waiting sessions' audio to leave the topic.
 */
class ProviderConditionsTest {
    private static final Optional<Duration> DAY = Optional.of(Duration.ofHours(24));
    private static final Instant NOW = Instant.parse("2026-12-07T08:00:00Z");
    private static final URI PROVIDER = URI.create("wss://api.openai.com/v1/realtime");
    private static final Map<String, URI> URLS = Map.of("openai", PROVIDER);

    @Test
    void saysNothingBeforeHalfTheRetention() {
        assertEquals(Optional.empty(), ProviderConditions.retentionWarning(Duration.ofHours(11), DAY));
    }

    @Test
    void warnsOnceThePauseReachesHalfTheRetentionAndSaysWhatToDo() {
        String warning = ProviderConditions.retentionWarning(Duration.ofHours(12), DAY).orElseThrow();
        assertTrue(warning.contains("AUDIO_EXPIRED") && warning.contains("retention.ms")
                && warning.contains("720 min") && warning.contains("1440 min"), warning);
    }

    @Test
    void describesAnOpenBreakerAndAnExhaustedQuotaAndNothingWhenAllIsWell() {
        AtomicLong clock = new AtomicLong(NOW.toEpochMilli());
        ProviderBreaker breaker = new ProviderBreaker(new ProviderBreaker.Settings(1, Duration.ofSeconds(5),
                Duration.ofMinutes(1), Duration.ofSeconds(1)), clock::get);
        AdmissionGate gate = new AdmissionGate(1, new PipelineMetrics(new SimpleMeterRegistry()), breaker);
        assertEquals(List.of(), ProviderConditions.of(gate, URLS, DAY, NOW));
        breaker.connectionFailed("a");
        gate.primary().quotaExhausted(NOW.toEpochMilli());
        List<String> lines = ProviderConditions.of(gate, URLS, DAY, NOW);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("provider quota exhausted") && l.contains("resume-provider")),
                lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("provider unreachable: admission paused for 5 s more")
                && l.contains(PROVIDER.toString())), lines.toString());
    }

    @Test
    void saysHowManyLiveSessionsFoundNoPlace() {
        AdmissionGate gate = new AdmissionGate(4, new PipelineMetrics(new SimpleMeterRegistry()),
                new ProviderBreaker(ProviderBreaker.Settings.DEFAULTS), Duration.ofHours(1),
                new AdmissionGate.LiveShare(1, 1));
        gate.livePlaces().take("a", "r1");
        assertEquals(List.of(), ProviderConditions.of(gate, URLS, DAY, NOW));
        gate.livePlaces().take("b", "r1");
        assertEquals(List.of("1 live session(s) found no place (realtime.max-live-sessions = 1 hold one): their turns "
                + "queue like batch sessions until a place frees"), ProviderConditions.of(gate, URLS, DAY, NOW));
    }

    @Test
    void saysWhatWasSpentOfTheBudgetAndHowAdmissionResumes() {
        Pricing openai = new Pricing(PriceTable.bundled(), "openai");
        SpendLedger spend = new SpendLedger("USD", new Budget(OptionalDouble.of(0.006), Budget.Period.DAY), "w/1",
                entry -> { });
        AdmissionGate gate = new AdmissionGate(4, new PipelineMetrics(new SimpleMeterRegistry()),
                new ProviderBreaker(ProviderBreaker.Settings.DEFAULTS), Duration.ofHours(1),
                AdmissionGate.LiveShare.DEFAULTS, spend);
        spend.charge(openai.transcription(Optional.of("whisper-1"), Optional.of(ProviderUsage.duration(30)), 30_000),
                NOW.toEpochMilli());
        assertEquals(List.of(), ProviderConditions.of(gate, URLS, DAY, NOW), "half the budget");
        spend.charge(openai.transcription(Optional.of("whisper-1"), Optional.of(ProviderUsage.duration(30)), 30_000),
                NOW.toEpochMilli());
        spend.charge(openai.transcription(Optional.of("whisper-9"), Optional.empty(), 30_000), NOW.toEpochMilli());
        assertEquals(List.of("budget spent: USD 0.0060 of budget.max-cost USD 0.006 (period "
                        + NOW.atZone(java.time.ZoneOffset.UTC).toLocalDate() + "): admission stopped, connected sessions go on to their end; raise "
                        + "budget.max-cost and restart to resume, or wait for the next day (UTC)",
                "1 provider call(s) of unknown cost (the price table has no price for their model) are not counted "
                        + "against budget.max-cost"), ProviderConditions.of(gate, URLS, DAY, NOW));
        assertTrue(gate.tryAcquire(NOW.toEpochMilli(), AdmissionGate.Claim.BATCH).isEmpty(), "nothing admitted");
    }

    @Test
    void saysNothingWhenTheAudioIsKeptForever() {
        assertEquals(Optional.empty(), ProviderConditions.retentionWarning(Duration.ofDays(30), Optional.empty()));
    }
}
