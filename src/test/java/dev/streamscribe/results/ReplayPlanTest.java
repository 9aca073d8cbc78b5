package dev.streamscribe.results;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.testing.SampleRecords;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** docs/architecture.md section 4 rule 7: which runs replay publishes again. */
class ReplayPlanTest {
    private final Map<String, SessionConfig> configs = new LinkedHashMap<>();
    private final ResultCollector results = new ResultCollector();

    private void session(String id, String token, SessionStatus outcome) {
        SessionConfig config = SampleRecords.sessionConfig(id);
        config.setRunToken(token);
        configs.put(id, config);
        if (outcome != null) {
            SessionResult result = SampleRecords.sessionResult(id);
            result.setRunToken(token);
            result.setStatus(outcome);
            results.result(result);
        }
    }

    private static List<String> ids(ReplayPlan.Plan plan) {
        return plan.replays().stream().map(r -> r.config().getSessionId()).toList();
    }

    private void fourSessions() {
        session("ok", "r-1", SessionStatus.COMPLETED);
        session("partial", "r-1", SessionStatus.COMPLETED_WITH_ERRORS);
        session("failed", "r-1", SessionStatus.FAILED);
        session("expired", "r-1", SessionStatus.EXPIRED);
        session("running", "r-1", null);
    }

    @Test
    void shouldReplayOnlyFailedAndPartlyFailedRunsByDefault() {
        fourSessions();
        assertEquals(List.of("partial", "failed"), ids(ReplayPlan.plan(configs, results, List.of(), false, "x", 1)));
    }

    @Test
    void shouldReplayEveryFinishedRunWithAllButNeverOneStillRunning() {
        fourSessions();
        assertEquals(List.of("ok", "partial", "failed", "expired"),
                ids(ReplayPlan.plan(configs, results, List.of(), true, "x", 1)));
    }

    @Test
    void shouldReplayNamedSessionsWhateverTheirOutcomeAndNameThoseItCannot() {
        fourSessions();
        ReplayPlan.Plan plan = ReplayPlan.plan(configs, results, List.of("ok", "running", "nobody"), false, "x", 1);
        assertEquals(List.of("ok"), ids(plan));
        assertEquals(List.of("running: run r-1 has not finished yet; left alone", "nobody: no such session (no config)"),
                plan.problems());
    }

    @Test
    void shouldNotTreatAResultOfAnEarlierRunAsTheCurrentRunsResult() {
        session("s", "r-1", SessionStatus.FAILED);
        configs.get("s").setRunToken("r-2"); // a new run was published and has no result yet
        assertEquals(List.of(), ids(ReplayPlan.plan(configs, results, List.of(), true, "x", 1)));
    }

    @Test
    void shouldGiveAFreshTokenThatDoesNotGrowWithEveryReplay() {
        session("s", "r-1~replay-old", SessionStatus.FAILED);
        ReplayPlan.Replay replay = ReplayPlan.plan(configs, results, List.of(), false, "new", 42).replays().get(0);
        assertEquals("r-1~replay-new", replay.config().getRunToken());
        assertEquals(42, replay.config().getCreatedAtMs());
    }
}
