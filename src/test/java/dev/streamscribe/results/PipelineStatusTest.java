package dev.streamscribe.results;

import dev.streamscribe.avro.Cost;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.cost.PriceTable;
import dev.streamscribe.cost.Pricing;
import dev.streamscribe.testing.SampleRecords;
import dev.streamscribe.topology.SessionState;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Counting sessions by where their current run stands. */
class PipelineStatusTest {
    private final PipelineStatus status = new PipelineStatus(new Pricing(PriceTable.bundled(), "openai"));

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

    private void costed(String id, double amount, boolean estimated, int unpriced) {
        SessionResult result = SampleRecords.sessionResult(id);
        result.setRunToken("r-1");
        result.setCost(Cost.newBuilder().setAmount(amount).setCurrency("USD").setEstimated(estimated).build());
        result.setCostUnpriced(unpriced);
        status.result(id, result);
    }

    @Test
    void whatWasSpentSumsTheCurrentRunsResultsAndCountsWhatHasNoCost() {
        status.config("a", config("a", "r-1"));
        costed("a", 0.5, true, 1);
        status.config("b", config("b", "r-1"));
        costed("b", 0.25, false, 0);
        status.config("replayed", config("replayed", "r-2"));
        costed("replayed", 100, false, 0); // the earlier run's result: not the current run's cost
        status.config("old", config("old", "r-1"));
        result("old", "r-1", SessionStatus.COMPLETED, 1_000); // written by a version without costs
        status.config("expired", config("expired", "r-1"));
        SessionResult expired = SampleRecords.sessionResult("expired");
        expired.setRunToken("r-1");
        expired.setStatus(SessionStatus.EXPIRED);
        expired.setAttempt(0);
        status.result("expired", expired);

        PipelineStatus.Costs costs = status.summary().costs();

        assertEquals(0.75, costs.spent().amount(), 1e-12);
        assertTrue(costs.spent().estimated());
        assertEquals(1, costs.spent().unpriced());
        assertEquals(1, costs.resultsWithoutCost(), "a run never dispatched cost nothing; one written without a cost is counted");
    }

    @Test
    void theAudioOfSessionsWithoutAResultIsProjectedByTheirModelsPrice() {
        SessionConfig whisper = config("whisper", "r-1");
        whisper.getTranscription().setModel("whisper-1");
        status.config("whisper", whisper);
        status.state("whisper", state("r-1", SessionState.Status.READY));
        status.chunk("whisper", 48_000 * 30); // 30 s of 24 kHz pcm16 in two chunks
        status.chunk("whisper", 48_000 * 30);
        SessionConfig tokens = config("tokens", "r-1"); // gpt-4o-transcribe: a range around 0.006 per minute
        status.config("tokens", tokens);
        status.state("tokens", state("r-1", SessionState.Status.IN_FLIGHT));
        status.chunk("tokens", 48_000 * 60);
        SessionConfig unknown = config("unknown", "r-1");
        unknown.getTranscription().setModel("whisper-9");
        status.config("unknown", unknown);
        status.state("unknown", state("r-1", SessionState.Status.READY));
        status.chunk("unknown", 48_000);
        status.config("done", whisper("done"));
        costed("done", 0.1, false, 0);
        status.chunk("done", 48_000 * 600); // has its result: spent, not projected
        status.config("purged", whisper("purged"));
        status.state("purged", state("r-1", SessionState.Status.READY));
        status.chunk("purged", 48_000 * 600);
        status.chunk("purged", null); // its chunks deleted

        PipelineStatus.Costs costs = status.summary().costs();

        assertEquals(121_000, costs.projectedAudioMs());
        assertEquals(0.006 + 0.003, costs.projected().low(), 1e-12, "whisper exact, tokens at half their estimate");
        assertEquals(0.006 + 0.012, costs.projected().high(), 1e-12, "whisper exact, tokens at twice their estimate");
        assertFalse(costs.projectedExact(), "a token-billed session makes it a range");
        assertEquals(1, costs.projectedUnpriced());
    }

    private static SessionConfig whisper(String id) {
        SessionConfig config = config(id, "r-1");
        config.getTranscription().setModel("whisper-1");
        return config;
    }
}
