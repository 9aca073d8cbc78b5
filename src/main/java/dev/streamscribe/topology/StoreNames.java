package dev.streamscribe.topology;

/** The topology's state stores (docs/architecture.md section 4). */
public final class StoreNames {
    /** session id -> {@link SessionState}: small and bounded per session. */
    public static final String SESSION_STATE = "session-state";
    /** (session id, seq) -> {@link ChunkRef}: one small entry per chunk, range-scanned by session. */
    public static final String CHUNK_INDEX = "chunk-index";
    /** (session id, run token) -> SessionResult status: global, read from session-results before processing starts. */
    public static final String FINISHED_RUNS = "finished-runs";

    private StoreNames() {
    }
}
