package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.StartPolicy;
import dev.streamscribe.util.SessionLog;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembler's handling of abort markers (AudioChunks with {@code abort} set; docs/producer-contract.md section 5).
 *
 * <p>Threading: the task's stream thread only (called from the assembler).
 */
final class AbortMarkers {
    private static final Logger log = LoggerFactory.getLogger(AbortMarkers.class);
    private final SessionStore sessions;
    private final AssemblerOutputs outputs;

    AbortMarkers(SessionStore sessions, AssemblerOutputs outputs) {
        this.sessions = sessions;
        this.outputs = outputs;
    }

    /**
     * A producer gave the session up (an AudioChunk with {@code abort} set; it carries no audio and is not indexed).
     * A run still collecting its input ends now, EXPIRED with reason ABORTED, instead of at its idle timeout; nothing
     * was sent to the provider. A run that is already complete goes on (its config was published, so the producer
     * ended it): the late abort is a DeadLetter ABORT_TOO_LATE, except a live run (start AT_FIRST_TURN) that has not
     * seen its end, which ends EXPIRED (ABORTED) at once, its finished turns kept. A run that has its result keeps it:
     * the abort belongs to a re-publication that never got as far as its config.
     */
    void onAbort(Record<String, SpecificRecord> record, String sessionId, String reason, long wallMs) {
        SessionState state = sessions.get(sessionId).orElseGet(SessionState::empty)
                .touched(record.timestamp(), wallMs);
        switch (state.status()) {
            case ASSEMBLING -> {
                String message = "the producer aborted session '" + sessionId + "'"
                        + (state.runToken().isEmpty() ? "" : " run '" + state.runToken() + "'") + ": " + reason + " ("
                        + state.chunks() + " chunks indexed" + (state.hasConfig() ? "" : ", no config")
                        + "); nothing was sent to the provider";
                outputs.result(record.timestamp(), sessionId, state, SessionStatus.EXPIRED, "ABORTED", message);
                sessions.put(sessionId, state.expired());
                SessionLog.info(log, sessionId, state.runToken(), "{}", message);
            }
            case READY, IN_FLIGHT -> {
                if (state.endSeq() < 0 && state.sessionConfig().map(c -> c.getStart() == StartPolicy.AT_FIRST_TURN)
                        .orElse(false)) {
                    // a live run still receiving its audio: it ends now; a connection still open is stale from here
                    // on (the drain drops its outcome and any turn it finishes later)
                    int kept = sessions.turnResults().ofRun(sessionId, state.runToken()).size();
                    String message = "the producer aborted live session '" + sessionId + "' run '" + state.runToken()
                            + "': " + reason + "; its " + kept + " turn(s) with a result stand, a turn at the provider "
                            + "now gets none";
                    outputs.result(record.timestamp(), sessionId, state, SessionStatus.EXPIRED, "ABORTED", message);
                    sessions.put(sessionId, state.abortedLive());
                    SessionLog.info(log, sessionId, state.runToken(), "{}", message);
                    return;
                }
                sessions.put(sessionId, state);
                outputs.deadLetter(record, sessionId, "ABORT_TOO_LATE", "session '" + sessionId + "' run '"
                        + state.runToken() + "' is already complete (" + state.status() + "): the abort (" + reason
                        + ") is ignored and the run goes on");
            }
            case FINISHED, EXPIRED -> sessions.put(sessionId, state);
        }
    }
}
