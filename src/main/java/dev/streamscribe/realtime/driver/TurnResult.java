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

    /** The turn was never sent (shorter than the providers' minimum). */
    static TurnResult skipped(TurnSpec spec, String reason) {
        return new TurnResult(spec.turnIndex(), TurnStatus.SKIPPED, Optional.of(reason), "", spec.startMs(),
                spec.endMs(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty());
    }

    /** The provider transcribed the turn's item (or, without transcription, committed it: an empty transcript). */
    static TurnResult completed(TurnSpec spec, String itemId, String transcript, Optional<ProviderUsage> usage,
                                List<TokenLogprob> logprobs, Optional<String> language, Optional<String> providerSession) {
        return new TurnResult(spec.turnIndex(), TurnStatus.COMPLETED, Optional.empty(), transcript, spec.startMs(),
                spec.endMs(), Optional.of(itemId), usage, logprobs, language, providerSession);
    }

    /** The turn failed on its own ({@code reason} says why); the session goes on. */
    static TurnResult failed(TurnSpec spec, String reason, Optional<String> itemId, Optional<String> providerSession) {
        return new TurnResult(spec.turnIndex(), TurnStatus.FAILED, Optional.of(reason), "", spec.startMs(),
                spec.endMs(), itemId, Optional.empty(), List.of(), Optional.empty(), providerSession);
    }
}
