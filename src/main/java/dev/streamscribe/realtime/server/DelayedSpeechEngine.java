package dev.streamscribe.realtime.server;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Makes another engine's transcripts arrive {@code delay} after the commit: a provider that takes its time, for
 * benchmarks of concurrency (sessions that wait on the provider hold a slot, a socket and memory, nothing else).
 *
 * <p>Threading: as thread-safe as the engine it wraps; the delay costs no thread (the JDK's delayed executor).
 */
public final class DelayedSpeechEngine implements SpeechEngine {
    private final SpeechEngine delegate;
    private final Duration delay;

    public DelayedSpeechEngine(SpeechEngine delegate, Duration delay) {
        this.delegate = delegate;
        this.delay = delay;
    }

    @Override
    public String name() {
        return delegate.name() + " (+" + delay.toMillis() + " ms per turn)";
    }

    @Override
    public CompletableFuture<String> transcribe(SpeechInput input) {
        return delegate.transcribe(input).thenApplyAsync(text -> text,
                CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    public void close() {
        delegate.close();
    }
}
