package dev.streamscribe.topology;

import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.driver.TurnCheckpoint;
import dev.streamscribe.realtime.driver.TurnListener;
import dev.streamscribe.realtime.driver.TurnResult;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A launcher that stands in for one provider in TopologyTestDriver tests: each connection is recorded as a
 * {@link Launch} whose outcome the test completes, and through which the test reports what the driver would while
 * the attempt goes on.
 */
final class RecordingLauncher implements SessionLauncher {
    /**
     * One call of the launcher: which provider, what it was asked, the outcome the test completes, and the listener
     * the driver would report to.
     */
    record Launch(String provider, SessionRequest request, CompletableFuture<SessionOutcome> outcome,
                  TurnListener turns, List<ChunkRef> refs) {
        /** The driver reports a turn (without a response) finished while the attempt goes on. */
        void turnFinished(TurnResult turn) {
            turns.finished(new TurnCheckpoint(turn, Optional.empty()));
        }
    }

    private final String provider;
    private final List<Launch> launches;

    /** Records each launch into {@code launches}, named {@code provider}. */
    RecordingLauncher(String provider, List<Launch> launches) {
        this.provider = provider;
        this.launches = launches;
    }

    @Override
    public CompletableFuture<SessionOutcome> launch(SessionRequest request, List<ChunkRef> chunks) {
        return launch(request, chunks, TurnListener.NONE);
    }

    @Override
    public CompletableFuture<SessionOutcome> launch(SessionRequest request, List<ChunkRef> chunks, TurnListener turns) {
        CompletableFuture<SessionOutcome> outcome = new CompletableFuture<>();
        launches.add(new Launch(provider, request, outcome, turns, List.copyOf(chunks)));
        return outcome;
    }
}
