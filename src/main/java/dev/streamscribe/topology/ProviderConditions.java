package dev.streamscribe.topology;

import dev.streamscribe.cost.Budget;
import dev.streamscribe.cost.SpendLedger;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The lines of {@code /health} and of the status report about admission to the provider: a rate-limit pause, an
 * exhausted quota, an outage (the breaker open or probing), a pause long enough for waiting sessions' audio to
 * be about to leave the topic, a spent budget, and live sessions queued without a place. Pure: read from the gate at {@code now}.
 */
final class ProviderConditions {
    private ProviderConditions() {
    }

    /**
     * @param urls each provider's endpoint, by name (what the lines about an outage name); with several providers
     *             each line about one provider begins with its name
     */
    static List<String> of(AdmissionGate gate, Map<String, URI> urls, Optional<Duration> audioRetention, Instant now) {
        List<String> conditions = new ArrayList<>();
        long nowMs = now.toEpochMilli();
        boolean several = gate.providers().size() > 1;
        for (ProviderGate provider : gate.providers()) {
            String prefix = several ? "provider '" + provider.name() + "': " : "";
            URI url = urls.get(provider.name());
            long paused = provider.pausedUntilMs() - nowMs;
            if (paused > 0) {
                conditions.add(prefix + "admission paused for " + (paused + 999) / 1000
                        + " s more: the provider signalled a rate limit");
            }
            long quota = provider.quotaPausedUntilMs() - nowMs;
            if (quota > 0) {
                conditions.add(prefix + "provider quota exhausted: admission paused until an operator runs "
                        + "'streamscribe resume-provider' (or for " + (quota + 999) / 1000
                        + " s more, provider.quota-pause-ms)");
            }
            ProviderBreaker breaker = provider.breaker();
            switch (breaker.state()) {
                case OPEN -> conditions.add(prefix + "provider unreachable: admission paused for "
                        + Math.max(0, (breaker.pausedUntilMs() - nowMs + 999) / 1000) + " s more, then one session "
                        + "probes (" + url + "; sessions whose connections failed wait without spending an attempt)");
                case HALF_OPEN -> conditions.add(prefix + "provider unreachable: one session is probing whether it is "
                        + "back (" + url + ")");
                case CLOSED -> {
                    // nothing to report
                }
            }
        }
        allPausedSinceMs(gate, nowMs).ifPresent(since -> retentionWarning(Duration.ofMillis(nowMs - since),
                audioRetention).ifPresent(conditions::add));
        budget(gate.spend(), nowMs).ifPresent(conditions::add);
        if (gate.spend().unpriced() > 0) {
            conditions.add(gate.spend().unpriced() + " provider call(s) of unknown cost (the price table has no price "
                    + "for their model) are not counted against budget.max-cost");
        }
        int queuedLive = gate.livePlaces().queued();
        if (queuedLive > 0) {
            conditions.add(queuedLive + " live session(s) found no place (realtime.max-live-sessions = "
                    + gate.livePlaces().capacity() + " hold one): their turns queue like batch sessions until a "
                    + "place frees");
        }
        return conditions;
    }

    /**
     * Since when every provider has been paused by an outage or an exhausted quota (the latest of their pauses'
     * starts: sessions could go to none since then); empty while any can take sessions.
     */
    private static OptionalLong allPausedSinceMs(AdmissionGate gate, long nowMs) {
        long latest = 0;
        for (ProviderGate provider : gate.providers()) {
            OptionalLong since = provider.pausedSinceMs(nowMs);
            if (since.isEmpty()) {
                return OptionalLong.empty();
            }
            latest = Math.max(latest, since.getAsLong());
        }
        return OptionalLong.of(latest);
    }

    /** While the budget is spent: what was spent of what, and how admission resumes. */
    static Optional<String> budget(SpendLedger spend, long nowMs) {
        if (!spend.exhausted(nowMs)) {
            return Optional.empty();
        }
        Budget budget = spend.budget();
        return Optional.of(String.format(Locale.ROOT, "budget spent: %s %.4f of budget.max-cost %s %s (period %s): "
                        + "admission stopped, connected sessions go on to their end; raise budget.max-cost and restart "
                        + "to resume%s", spend.currency(), spend.spent(nowMs), spend.currency(),
                BigDecimal.valueOf(budget.maxCost().getAsDouble()).stripTrailingZeros().toPlainString(),
                spend.period(nowMs), budget.period() == Budget.Period.TOTAL ? ""
                        : ", or wait for the next " + budget.period().key() + " (UTC)"));
    }

    /**
     * Once admission to the provider has been paused for half the audio topic's retention, sessions waiting since
     * the pause began are that close to losing their audio (they would then fail AUDIO_EXPIRED): say so, with what to
     * do. Empty before that, and with infinite retention.
     */
    static Optional<String> retentionWarning(Duration pausedFor, Optional<Duration> audioRetention) {
        if (audioRetention.isEmpty() || pausedFor.compareTo(audioRetention.get().dividedBy(2)) < 0) {
            return Optional.empty();
        }
        return Optional.of("admission to the provider has been paused for " + pausedFor.toMinutes() + " min, at least "
                + "half the audio topic's retention (" + audioRetention.get().toMinutes() + " min): sessions still "
                + "waiting when their audio is that old fail AUDIO_EXPIRED; resume the provider or raise the audio "
                + "topic's retention.ms");
    }
}
