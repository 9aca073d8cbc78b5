package dev.streamscribe.realtime.driver;

import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.realtime.event.ProviderUsage;
import dev.streamscribe.realtime.event.TokenLogprob;

import java.util.List;
import java.util.Optional;

/** The outcome of one turn: exactly one per planned turn in a completed session. */
public record TurnResult(int turnIndex, TurnStatus status, Optional<String> reason, String transcript, long startMs,
                         long endMs, Optional<String> itemId, Optional<ProviderUsage> usage,
                         List<TokenLogprob> logprobs, Optional<String> language, Optional<String> providerSessionId) {
    public TurnResult {
        logprobs = List.copyOf(logprobs);
    }

    static TurnResult skipped(TurnSpec spec, String reason) {
        return new TurnResult(spec.turnIndex(), TurnStatus.SKIPPED, Optional.of(reason), "", spec.startMs(),
                spec.endMs(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty());
    }
}
