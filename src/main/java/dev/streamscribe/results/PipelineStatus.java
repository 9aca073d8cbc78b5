package dev.streamscribe.results;

import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.StartPolicy;
import dev.streamscribe.avro.Usage;
import dev.streamscribe.topology.SessionState;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where every session stands, from what the topics say: the latest config of each session (its current run), the
 * latest result, the pipeline's own {@code session-state} changelog (waiting, in flight, assembling) and the dead
 * letters. Fed record by record, so a watcher keeps one instance and adds what is new.
 *
 * <p>Threading: not thread-safe.
 */
public final class PipelineStatus {
    private final Map<String, String> currentRun = new HashMap<>();
    private final Map<String, SessionResult> results = new HashMap<>();
    private final Map<String, SessionState> states = new HashMap<>();
    private final Map<String, Long> deadLetters = new TreeMap<>();
    /** Sessions whose latest config starts AT_FIRST_TURN. */
    private final Set<String> live = new HashSet<>();

    /** Counts and totals at one moment. */
    /**
     * @param live               sessions without a result whose current run starts AT_FIRST_TURN (counted in the
     *                           in flight / waiting / assembling figures too)
     * @param liveOldestInputMs  the wall-clock time of the last input of the live session that has gone longest
     *                           without one; 0 when there is no live session
     */
    public record Summary(long total, long completed, long completedWithErrors, long failed, long expired,
                          long inFlight, long waiting, long assembling, long unread, long audioMs,
                          long inputTokens, long outputTokens, double billedSeconds, long firstStartMs,
                          long lastFinishMs, Map<String, Long> deadLetters, long live, long liveOldestInputMs) {
        public long finished() {
            return completed + completedWithErrors + failed + expired;
        }

        public long remaining() {
            return total - finished();
        }

        /** Seconds of audio finished per wall-clock second, between the first start and the last finish. */
        public double audioRate() {
            long span = lastFinishMs - firstStartMs;
            return span <= 0 ? 0 : (double) audioMs / span;
        }

        /** Sessions finished per second over the same span. */
        public double sessionRate() {
            long span = lastFinishMs - firstStartMs;
            return span <= 0 ? 0 : finished() * 1000.0 / span;
        }
    }

    public void config(String sessionId, SessionConfig config) {
        if (sessionId != null && config != null) {
            currentRun.put(sessionId, config.getRunToken());
            if (config.getStart() == StartPolicy.AT_FIRST_TURN) {
                live.add(sessionId);
            } else {
                live.remove(sessionId);
            }
        }
    }

    public void result(String sessionId, SessionResult result) {
        if (sessionId != null && result != null) {
            results.put(sessionId, result);
        }
    }

    public void state(String sessionId, SessionState state) {
        if (sessionId == null) {
            return;
        }
        if (state == null) {
            states.remove(sessionId);
        } else {
            states.put(sessionId, state);
        }
    }

    public void deadLetter(DeadLetter letter) {
        if (letter != null) {
            deadLetters.merge(letter.getReasonCode(), 1L, Long::sum);
        }
    }

    public Summary summary() {
        long completed = 0, withErrors = 0, failed = 0, expired = 0, inFlight = 0, waiting = 0, assembling = 0, unread = 0;
        long audioMs = 0, inputTokens = 0, outputTokens = 0;
        double billed = 0;
        long firstStart = Long.MAX_VALUE, lastFinish = 0;
        long liveCount = 0, liveOldestInput = Long.MAX_VALUE;
        Set<String> sessions = new HashSet<>(currentRun.keySet());
        sessions.addAll(states.keySet());
        for (String session : sessions) {
            String run = currentRun.get(session);
            SessionResult result = results.get(session);
            SessionState state = states.get(session);
            if (result != null && (run == null || run.equals(result.getRunToken()))) {
                switch (result.getStatus()) {
                    case COMPLETED -> completed++;
                    case COMPLETED_WITH_ERRORS -> withErrors++;
                    case FAILED -> failed++;
                    case EXPIRED -> expired++;
                }
                audioMs += result.getAudioMs();
                Usage usage = result.getUsage();
                if (usage != null) {
                    inputTokens += usage.getInputTokens();
                    outputTokens += usage.getOutputTokens();
                    billed += usage.getDurationSeconds();
                }
                if (result.getStartedAtMs() > 0) {
                    firstStart = Math.min(firstStart, result.getStartedAtMs());
                }
                lastFinish = Math.max(lastFinish, result.getFinishedAtMs());
            } else if (state == null || (run != null && !run.equals(state.runToken()) && !state.runToken().isEmpty())) {
                unread++;
            } else {
                switch (state.status()) {
                    case READY -> waiting++;
                    case IN_FLIGHT, FINISHED, EXPIRED -> inFlight++; // finished: its result is on the way
                    case ASSEMBLING -> assembling++;
                }
                if (live.contains(session) && !state.status().hasResult()) {
                    liveCount++;
                    liveOldestInput = Math.min(liveOldestInput, state.lastTouchedWallMs());
                }
            }
        }
        return new Summary(sessions.size(), completed, withErrors, failed, expired, inFlight, waiting, assembling, unread,
                audioMs, inputTokens, outputTokens, billed, firstStart == Long.MAX_VALUE ? 0 : firstStart, lastFinish,
                Map.copyOf(deadLetters), liveCount, liveCount == 0 ? 0 : liveOldestInput);
    }
}
