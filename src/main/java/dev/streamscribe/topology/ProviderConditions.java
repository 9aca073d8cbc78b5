package dev.streamscribe.topology;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The lines of {@code /health} and of the status report about admission to the provider: a rate-limit pause, an
 * exhausted quota, an outage (the breaker open or probing), a pause long enough for waiting sessions' audio to
 * be about to leave the topic, and live sessions queued without a place. Pure: read from the gate at {@code now}.
 */
final class ProviderConditions {
    private ProviderConditions() {
    }

    static List<String> of(AdmissionGate gate, URI provider, Optional<Duration> audioRetention, Instant now) {
        List<String> conditions = new ArrayList<>();
        long nowMs = now.toEpochMilli();
        long paused = gate.pausedUntilMs() - nowMs;
        if (paused > 0) {
            conditions.add("admission paused for " + (paused + 999) / 1000 + " s more: the provider signalled a rate limit");
        }
        long quota = gate.quotaPausedUntilMs() - nowMs;
        if (quota > 0) {
            conditions.add("provider quota exhausted: admission paused until an operator runs 'streamscribe "
                    + "resume-provider' (or for " + (quota + 999) / 1000 + " s more, provider.quota-pause-ms)");
        }
        OptionalLong pausedSince = gate.providerPausedSinceMs(nowMs);
        if (pausedSince.isPresent()) {
            retentionWarning(Duration.ofMillis(nowMs - pausedSince.getAsLong()), audioRetention)
                    .ifPresent(conditions::add);
        }
        ProviderBreaker breaker = gate.breaker();
        switch (breaker.state()) {
            case OPEN -> conditions.add("provider unreachable: admission paused for "
                    + Math.max(0, (breaker.pausedUntilMs() - nowMs + 999) / 1000) + " s more, then one session probes ("
                    + provider + "; sessions whose connections failed wait without spending an attempt)");
            case HALF_OPEN -> conditions.add("provider unreachable: one session is probing whether it is back ("
                    + provider + ")");
            case CLOSED -> {
                // nothing to report
            }
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
