package dev.streamscribe.topology;

import dev.streamscribe.realtime.driver.LiveRun;
import dev.streamscribe.realtime.driver.RealtimeSessionDriver;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.driver.TurnListener;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The real launcher: the session driver, fed by the audio reader's claim-check stream of the session's chunks.
 *
 * <p>Threading: as {@link SessionLauncher}; the driver and the reader are thread-safe.
 */
public record DriverSessionLauncher(RealtimeSessionDriver driver, AudioReader audio) implements SessionLauncher {
    public DriverSessionLauncher {
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(audio, "audio");
    }

    @Override
    public CompletableFuture<SessionOutcome> launch(SessionRequest request, List<ChunkRef> chunks) {
        return launch(request, chunks, TurnListener.NONE);
    }

    @Override
    public CompletableFuture<SessionOutcome> launch(SessionRequest request, List<ChunkRef> chunks, TurnListener turns) {
        return driver.run(request, audio.open(request.sessionId(), chunks), turns);
    }

    @Override
    public Launched launchLive(SessionRequest request, List<ChunkRef> chunks, TurnListener turns) {
        LiveRun run = driver.runLive(request, audio.open(request.sessionId(), chunks), turns);
        return new Launched(run.outcome(), (more, moreChunks, ended) ->
                run.more().offer(more, audio.open(request.sessionId(), moreChunks), ended));
    }
}
