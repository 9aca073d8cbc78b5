package dev.streamscribe.results;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which sessions {@code replay} publishes again, and under which run tokens (docs/architecture.md section 4 rule 7): by default
 * those whose current run ended FAILED or COMPLETED_WITH_ERRORS; with {@code all} every finished one; named sessions
 * whatever their outcome. A run that has no result yet is never replayed (its config cannot change in flight).
 */
public final class ReplayPlan {
    /** The outcomes replayed when no session is named and {@code all} is not asked. */
    public static final Set<SessionStatus> DEFAULT_STATUSES = EnumSet.of(SessionStatus.FAILED,
            SessionStatus.COMPLETED_WITH_ERRORS);
    private static final String MARK = "~replay-";

    /** A config to publish again, and the result of the run it replaces. */
    public record Replay(SessionConfig config, SessionResult previous) {
    }

    /** What to publish, and the named sessions that cannot be replayed (with why). */
    public record Plan(List<Replay> replays, List<String> problems) {
    }

    private ReplayPlan() {
    }

    /**
     * @param configs the latest config of every session
     * @param named   sessions asked for by name (empty: choose by outcome)
     * @param stamp   what makes the new run tokens unique, e.g. the time in base 36
     */
    public static Plan plan(Map<String, SessionConfig> configs, ResultCollector results, List<String> named,
                            boolean all, String stamp, long nowMs) {
        List<Replay> replays = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String sessionId : named.isEmpty() ? List.copyOf(configs.keySet()) : named) {
            SessionConfig current = configs.get(sessionId);
            if (current == null) {
                problems.add(sessionId + ": no such session (no config)");
                continue;
            }
            Optional<SessionResult> result = results.result(sessionId)
                    .filter(r -> r.getRunToken().equals(current.getRunToken()));
            if (result.isEmpty()) {
                if (!named.isEmpty()) {
                    problems.add(sessionId + ": run " + current.getRunToken() + " has not finished yet; left alone");
                }
            } else if (!named.isEmpty() || all || DEFAULT_STATUSES.contains(result.get().getStatus())) {
                replays.add(new Replay(SessionConfig.newBuilder(current)
                        .setRunToken(baseToken(current.getRunToken()) + MARK + stamp).setCreatedAtMs(nowMs).build(),
                        result.get()));
            }
        }
        return new Plan(List.copyOf(replays), List.copyOf(problems));
    }

    /** A replay of a replay keeps one suffix, so tokens do not grow with every replay. */
    static String baseToken(String token) {
        int at = token.indexOf(MARK);
        return at < 0 ? token : token.substring(0, at);
    }
}
