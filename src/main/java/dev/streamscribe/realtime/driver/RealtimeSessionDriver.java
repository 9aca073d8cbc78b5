package dev.streamscribe.realtime.driver;

import dev.streamscribe.realtime.RealtimeEndpoint;
import dev.streamscribe.realtime.event.RateLimit;
import dev.streamscribe.realtime.transport.RealtimeTransport;
import dev.streamscribe.realtime.wire.DialectCodec;
import dev.streamscribe.util.SerialExecutor;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Runs realtime sessions against one endpoint (dialect + URL + key): for each {@link SessionRequest} it opens a
 * WebSocket, configures the session, streams the audio turn by turn, collects transcriptions and responses, and
 * completes the returned future with one {@link SessionOutcome}. The protocol rules are in {@link SessionRun}.
 *
 * <p>Threading: {@link #run} may be called from any thread (the stream thread calls it) and returns at once.
 * No thread is held per waiting session: each session's state lives in a {@link SessionRun} whose events
 * (socket messages, audio pieces, timers) are serialized onto the shared {@code executor}. Cancelling the
 * returned future aborts the session's socket and audio subscription.
 */
public final class RealtimeSessionDriver {
    private final RealtimeEndpoint endpoint;
    private final RealtimeTransport transport;
    private final DriverSettings settings;
    private final Executor executor;
    private final ScheduledExecutorService timer;
    private final DialectCodec codec;
    private final Consumer<List<RateLimit>> rateLimits;

    public RealtimeSessionDriver(RealtimeEndpoint endpoint, RealtimeTransport transport, DriverSettings settings,
                                 Executor executor, ScheduledExecutorService timer) {
        this(endpoint, transport, settings, executor, timer, limits -> { });
    }

    /** @param rateLimits told of every {@code rate_limits.updated}, from any session (must be thread-safe) */
    public RealtimeSessionDriver(RealtimeEndpoint endpoint, RealtimeTransport transport, DriverSettings settings,
                                 Executor executor, ScheduledExecutorService timer,
                                 Consumer<List<RateLimit>> rateLimits) {
        this.rateLimits = Objects.requireNonNull(rateLimits, "rateLimits");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.codec = DialectCodec.of(endpoint.dialect());
    }

    /** Starts one session attempt; the audio is pulled from {@code audio} one piece at a time. */
    public CompletableFuture<SessionOutcome> run(SessionRequest request, Flow.Publisher<AudioPiece> audio) {
        return run(request, audio, TurnListener.NONE);
    }

    /**
     * As {@link #run(SessionRequest, Flow.Publisher)}, telling {@code turns} each turn's outcomes (its transcript or
     * the provider's failed transcription, and its response) the moment the provider has given them all, before the
     * attempt ends: what the pipeline checkpoints, so a later connection sends only turns without one.
     *
     * @param turns called on the session's serial executor, never concurrently for one session
     */
    public CompletableFuture<SessionOutcome> run(SessionRequest request, Flow.Publisher<AudioPiece> audio,
                                                 TurnListener turns) {
        SessionRun run = new SessionRun(request, audio, endpoint, codec, transport, settings,
                new SerialExecutor(executor), timer, rateLimits, turns);
        run.start();
        return run.outcome();
    }

    /**
     * As {@link #run(SessionRequest, Flow.Publisher, TurnListener)} for a live run whose later turns may still come:
     * once the turns it was given are done, the connection waits up to the driver's live idle close for
     * {@link LiveTurns#offer more}, then ends with the turns it has (the pipeline reconnects when the next one completes).
     */
    public LiveRun runLive(SessionRequest request, Flow.Publisher<AudioPiece> audio, TurnListener turns) {
        SessionRun run = new SessionRun(request, audio, endpoint, codec, transport, settings,
                new SerialExecutor(executor), timer, rateLimits, turns, true);
        run.start();
        return new LiveRun(run.outcome(), run::offer);
    }

    public RealtimeEndpoint endpoint() {
        return endpoint;
    }
}
