package dev.streamscribe.realtime.driver;

/**
 * Told of a connection's turns as they go, before the attempt ends: what the pipeline checkpoints and counts.
 *
 * <p>Threading: called on the session's serial executor, never concurrently for one session; must not block.
 */
public interface TurnListener {
    /** Listens to nothing: the attempt's outcome carries every turn. */
    TurnListener NONE = checkpoint -> { };

    /** The turn has every outcome it will get (see {@link TurnCheckpoint}). */
    void finished(TurnCheckpoint checkpoint);

    /**
     * The turn's first audio is about to go to the provider on this connection; {@code asContext}: an earlier turn's
     * audio re-sent to restore a resumed conversation (its results are not reported again).
     */
    default void streaming(TurnSpec turn, boolean asContext) {
    }

    /**
     * The provider reported the outcome of a call it bills, on this connection: counted whether or not the pipeline
     * keeps the outcome (a connection a crash or a retry ends still cost what it reported).
     */
    default void billed(BilledCall call) {
    }
}
