package dev.streamscribe.topology;

/** The topology's state stores (docs/architecture.md section 4). */
public final class StoreNames {
    /** session id -> {@link SessionState}: small and bounded per session. */
    public static final String SESSION_STATE = "session-state";
    /** (session id, seq) -> {@link ChunkRef}: one small entry per chunk, range-scanned by session. */
    public static final String CHUNK_INDEX = "chunk-index";
    /**
     * (kind, due time, session id) -> nothing: which sessions need the dispatcher, an expiry check or the purge, and
     * when ({@link SessionSchedule}).
     */
    public static final String SESSION_SCHEDULE = "session-schedule";
    /** (session id, run token, turn) -> what the turn contributed: the turns that have their event (checkpoints). */
    public static final String TURN_RESULTS = "turn-results";
    /** (session id, run token) -> SessionResult status: global, read from session-results before processing starts. */
    public static final String FINISHED_RUNS = "finished-runs";

    private StoreNames() {
    }
}
