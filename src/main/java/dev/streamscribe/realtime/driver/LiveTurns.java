package dev.streamscribe.realtime.driver;

import java.util.List;
import java.util.concurrent.Flow;

/**
 * More turns for a live run (start AT_FIRST_TURN) whose connection is open: the turns that completed since it started,
 * with their audio, sent on the same connection instead of a new one.
 *
 * <p>Threading: any thread; the run takes the turns on its serial executor.
 */
@FunctionalInterface
public interface LiveTurns {
    /** For runs that take no turns after they start (every batch run). */
    LiveTurns NONE = (turns, audio, ended) -> false;

    /**
     * @param turns the next turns, in order, after every turn given so far (may be empty when only {@code ended} is
     *              news)
     * @param audio their audio
     * @param ended the last of them ends the session: after them the run finishes
     * @return false when the run takes no more turns (it ended, or decided to close): the caller leaves them to the
     *         next connection
     */
    boolean offer(List<TurnSpec> turns, Flow.Publisher<AudioPiece> audio, boolean ended);
}
