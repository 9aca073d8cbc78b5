package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.util.Optional;

/**
 * Faults the local realtime server injects into a connection, so reliability tests run on real sockets.
 *
 * @param refuseUpgradeStatus        answer the WebSocket upgrade with this HTTP status (0 = accept)
 * @param closeAfterEvents           drop the TCP connection without a close frame after sending this many events
 *                                   (-1 = never): the client sees an abnormal close (1006)
 * @param eventDelay                 delay every event the server sends by this much
 * @param injectedError              send this error instead of answering commit number {@code injectAtCommit}
 * @param injectAtCommit             which commit (1-based) triggers {@code injectedError}
 * @param transcriptionAfterResponseDone hold transcription results until the next {@code response.done}
 * @param omitSessionCreated         never send {@code session.created}
 * @param stallAfterEvents           stop answering anything after sending this many events (-1 = never); the
 *                                   socket stays open, to exercise the client's timeouts
 */
public record FaultPlan(int refuseUpgradeStatus, int closeAfterEvents, Duration eventDelay,
                        Optional<InjectedError> injectedError, int injectAtCommit,
                        boolean transcriptionAfterResponseDone, boolean omitSessionCreated, int stallAfterEvents) {

    /** Errors the plan can inject, with the providers' exact codes. */
    public enum InjectedError { RATE_LIMIT_EXCEEDED, SERVER_ERROR, SESSION_EXPIRED, INSUFFICIENT_QUOTA }

    public static final FaultPlan NONE = new FaultPlan(0, -1, Duration.ZERO, Optional.empty(), 1, false, false, -1);

    public FaultPlan withRefuseUpgradeStatus(int status) {
        return new FaultPlan(status, closeAfterEvents, eventDelay, injectedError, injectAtCommit,
                transcriptionAfterResponseDone, omitSessionCreated, stallAfterEvents);
    }

    public FaultPlan withCloseAfterEvents(int events) {
        return new FaultPlan(refuseUpgradeStatus, events, eventDelay, injectedError, injectAtCommit,
                transcriptionAfterResponseDone, omitSessionCreated, stallAfterEvents);
    }

    public FaultPlan withEventDelay(Duration delay) {
        return new FaultPlan(refuseUpgradeStatus, closeAfterEvents, delay, injectedError, injectAtCommit,
                transcriptionAfterResponseDone, omitSessionCreated, stallAfterEvents);
    }

    public FaultPlan withInjectedError(InjectedError error, int atCommit) {
        return new FaultPlan(refuseUpgradeStatus, closeAfterEvents, eventDelay, Optional.of(error), atCommit,
                transcriptionAfterResponseDone, omitSessionCreated, stallAfterEvents);
    }

    public FaultPlan withTranscriptionAfterResponseDone() {
        return new FaultPlan(refuseUpgradeStatus, closeAfterEvents, eventDelay, injectedError, injectAtCommit,
                true, omitSessionCreated, stallAfterEvents);
    }

    public FaultPlan withoutSessionCreated() {
        return new FaultPlan(refuseUpgradeStatus, closeAfterEvents, eventDelay, injectedError, injectAtCommit,
                transcriptionAfterResponseDone, true, stallAfterEvents);
    }

    public FaultPlan withStallAfterEvents(int events) {
        return new FaultPlan(refuseUpgradeStatus, closeAfterEvents, eventDelay, injectedError, injectAtCommit,
                transcriptionAfterResponseDone, omitSessionCreated, events);
    }

    /** JSON form for {@code serve-realtime --fault-plan FILE}; every field optional. */
    @JsonCreator
    static FaultPlan fromJson(@JsonProperty("refuseUpgradeStatus") Integer refuse,
                              @JsonProperty("closeAfterEvents") Integer closeAfter,
                              @JsonProperty("eventDelayMs") Long delayMs,
                              @JsonProperty("injectedError") InjectedError error,
                              @JsonProperty("injectAtCommit") Integer atCommit,
                              @JsonProperty("transcriptionAfterResponseDone") Boolean late,
                              @JsonProperty("omitSessionCreated") Boolean omit,
                              @JsonProperty("stallAfterEvents") Integer stall) {
        return new FaultPlan(refuse == null ? 0 : refuse, closeAfter == null ? -1 : closeAfter,
                Duration.ofMillis(delayMs == null ? 0 : delayMs), Optional.ofNullable(error),
                atCommit == null ? 1 : atCommit, late != null && late, omit != null && omit, stall == null ? -1 : stall);
    }
}
