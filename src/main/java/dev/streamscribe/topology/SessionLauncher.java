package dev.streamscribe.topology;

import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.driver.TurnListener;
import dev.streamscribe.realtime.driver.TurnSpec;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Starts one provider session attempt for the dispatcher: the seam between the topology and the provider side, so
 * topology tests can stand in for the provider without a socket.
 *
 * <p>Threading: called on a stream thread; must return at once. The future completes on any thread; cancelling it
 * aborts the attempt.
 */
@FunctionalInterface
public interface SessionLauncher {
    CompletableFuture<SessionOutcome> launch(SessionRequest request, List<ChunkRef> chunks);

    /**
     * As {@link #launch(SessionRequest, List)}, telling {@code turns} of each turn as its audio goes out and once it has
     * its outcomes (any thread). A launcher that cannot report turns early reports them all with the attempt's outcome.
     */
    default CompletableFuture<SessionOutcome> launch(SessionRequest request, List<ChunkRef> chunks, TurnListener turns) {
        return launch(request, chunks);
    }

    /**
     * As {@link #launch(SessionRequest, List, TurnListener)} for a live run whose later turns may still come: the
     * returned run takes {@link MoreTurns more} while its connection is open. A launcher that cannot does not (the
     * pipeline then reconnects for each turn).
     */
    default Launched launchLive(SessionRequest request, List<ChunkRef> chunks, TurnListener turns) {
        return new Launched(launch(request, chunks, turns), MoreTurns.NONE);
    }

    /** A started run and how to give it more turns. */
    record Launched(CompletableFuture<SessionOutcome> outcome, MoreTurns more) {
    }

    /** More turns for a live run, with their chunks. Threading: the stream thread. */
    @FunctionalInterface
    interface MoreTurns {
        MoreTurns NONE = (turns, chunks, ended) -> false;

        /** @return false when the run takes no more turns: they wait for its next connection */
        boolean offer(List<TurnSpec> turns, List<ChunkRef> chunks, boolean ended);
    }
}
