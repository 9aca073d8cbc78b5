package dev.streamscribe.realtime.event;

import java.util.List;

/** One transcription logprob entry. */
public record TokenLogprob(String token, double logprob, List<Integer> bytes) {
    public TokenLogprob {
        bytes = List.copyOf(bytes);
    }
}
