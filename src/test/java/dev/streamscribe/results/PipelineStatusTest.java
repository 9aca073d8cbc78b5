package dev.streamscribe.results;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.testing.SampleRecords;
import dev.streamscribe.topology.SessionState;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Counting sessions by where their current run stands. */
class PipelineStatusTest {
    private final PipelineStatus status = new PipelineStatus();

    private static SessionConfig config(String id, String token) {
        SessionConfig config = SampleRecords.sessionConfig(id);
        config.setRunToken(token);
        return config;
    }

    /** A state as the pipeline's changelog holds it; a session seen only through chunks has no config yet. */
    private static SessionState state(String token, SessionState.Status status) {
        byte[] config = token.isEmpty() ? new byte[0] : new byte[]{1};
        return new SessionState(config, token, status, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0);
    }

    private void result(String id, String token, SessionStatus outcome, long audioMs) {
        SessionResult result = SampleRecords.sessionResult(id);
        result.setRunToken(token);
        result.setStatus(outcome);
        result.setAudioMs(audioMs);
        status.result(id, result);
    }

    @Test
    void countsLiveSessionsWithoutAResultAndTheOldestLastInput() {
        SessionConfig call = config("call", "r-1");
        call.setStart(dev.streamscribe.avro.StartPolicy.AT_FIRST_TURN);
        status.config("call", call);
        status.state("call", new SessionState(new byte[]{1}, "r-1", SessionState.Status.ASSEMBLING, 1, 0, -1, 0, 0,
                5_000, 1, 0, 1, 0));
        SessionConfig quiet = config("quiet", "r-1");
        quiet.setStart(dev.streamscribe.avro.StartPolicy.AT_FIRST_TURN);
        status.config("quiet", quiet);
        status.state("quiet", new SessionState(new byte[]{1}, "r-1", SessionState.Status.IN_FLIGHT, 1, 0, -1, 0, 0,
                2_000, 1, 0, 1, 0));
        SessionConfig ended = config("ended", "r-1");
        ended.setStart(dev.streamscribe.avro.StartPolicy.AT_FIRST_TURN);
        status.config("ended", ended);
        result("ended", "r-1", SessionStatus.COMPLETED, 1_000);
        status.config("batch", config("batch", "r-1"));
        status.state("batch", state("r-1", SessionState.Status.ASSEMBLING));

        PipelineStatus.Summary summary = status.summary();

        assertEquals(2, summary.live(), "a live session with its result, and a batch one, are not live");
        assertEquals(2_000, summary.liveOldestInputMs(), "the live session longest without input");
    }

    @Test
    void shouldCountEachSessionByItsCurrentRun() {
        status.config("done", config("done", "r-1"));
        result("done", "r-1", SessionStatus.COMPLETED, 1_500);
        status.config("failed", config("failed", "r-1"));
        result("failed", "r-1", SessionStatus.FAILED, 0);
        status.config("replayed", config("replayed", "r-2")); // its r-1 result is an earlier run's
        result("replayed", "r-1", SessionStatus.COMPLETED, 9_000);
        status.state("replayed", state("r-2", SessionState.Status.IN_FLIGHT));
        status.config("waiting", config("waiting", "r-1"));
        status.state("waiting", state("r-1", SessionState.Status.READY));
        status.config("unread", config("unread", "r-1"));
        status.state("chunks-only", state("", SessionState.Status.ASSEMBLING));

        PipelineStatus.Summary summary = status.summary();

        assertEquals(6, summary.total());
        assertEquals(1, summary.completed());
        assertEquals(1, summary.failed());
        assertEquals(1, summary.inFlight());
        assertEquals(1, summary.waiting());
        assertEquals(1, summary.assembling());
        assertEquals(1, summary.unread());
        assertEquals(1_500, summary.audioMs(), "only current runs' audio counts");
        assertEquals(4, summary.remaining());
    }
}
