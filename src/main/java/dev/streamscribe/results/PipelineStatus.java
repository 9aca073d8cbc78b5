package dev.streamscribe.results;

import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.avro.AudioFormat;
import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.StartPolicy;
import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.avro.Usage;
import dev.streamscribe.cost.ChargeSum;
import dev.streamscribe.cost.CostEstimate;
import dev.streamscribe.cost.Pricing;
import dev.streamscribe.topology.SessionState;


import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where every session stands, from what the topics say: the latest config of each session (its current run), the
 * latest result, the pipeline's own {@code session-state} changelog (waiting, in flight, assembling), the audio its
 * {@code chunk-index} changelog holds per session and the dead letters. Fed record by record, so a watcher keeps one
 * instance and adds what is new. What was spent is summed from the results; what the sessions without a result
 * will cost is projected from their indexed audio by the price table (docs/operations.md section 7).
 *
 * <p>Threading: not thread-safe.
 */
public final class PipelineStatus {
    private final Pricing pricing;
    private final Map<String, String> currentRun = new HashMap<>();
    /** The transcription model (empty: transcription off) and audio format of each session's current run. */
    private final Map<String, Planned> planned = new HashMap<>();
    /** Audio bytes each session has in the chunk index. */
    private final Map<String, Long> indexedBytes = new HashMap<>();
    private final Map<String, SessionResult> results = new HashMap<>();
    private final Map<String, SessionState> states = new HashMap<>();
    private final Map<String, Long> deadLetters = new TreeMap<>();
    /** Sessions whose latest config starts AT_FIRST_TURN. */
    private final Set<String> live = new HashSet<>();

    private record Planned(Optional<String> model, AudioFormat format) {
    }

    /**
     * What the sessions cost, in the price table's currency.
     *
     * @param spent              the current runs' results' costs summed; {@code spent.unpriced()} counts their events
     *                           with an unknown cost (left out of the amount)
     * @param resultsWithoutCost dispatched runs whose result carries no cost (written by a version without costs)
     * @param projectedAudioMs   audio of the sessions without a result, from the chunk index
     * @param projected          what that audio will cost, by the price table (low to high: token billing is a range)
     * @param projectedExact     every projected session is billed by duration (its turns are rounded as one, so the
     *                           figure is short by under a second's price per turn)
     * @param projectedUnpriced  sessions without a result whose model has no price or estimate
     */
    public record Costs(String currency, ChargeSum spent, long resultsWithoutCost, long projectedAudioMs,
                        CostEstimate.Range projected, boolean projectedExact, long projectedUnpriced) {
        public static Costs none(String currency) {
            return new Costs(currency, ChargeSum.ZERO, 0, 0, new CostEstimate.Range(0, 0), true, 0);
        }
    }

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
                          long lastFinishMs, Map<String, Long> deadLetters, long live, long liveOldestInputMs,
                          Costs costs) {
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

    /** @param pricing what the projection prices the waiting audio at (the configured provider and price table) */
    public PipelineStatus(Pricing pricing) {
        this.pricing = Objects.requireNonNull(pricing, "pricing");
    }

    public void config(String sessionId, SessionConfig config) {
        if (sessionId != null && config != null) {
            currentRun.put(sessionId, config.getRunToken());
            planned.put(sessionId, new Planned(Optional.ofNullable(config.getTranscription())
                    .map(TranscriptionSettings::getModel), config.getAudioFormat()));
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

    /**
     * One entry of the {@code chunk-index} changelog: a chunk of {@code audioBytes} indexed, or (null) the session's
     * chunks deleted at its purge (all go together).
     */
    public void chunk(String sessionId, Integer audioBytes) {
        if (sessionId == null) {
            return;
        }
        if (audioBytes == null) {
            indexedBytes.remove(sessionId);
        } else {
            indexedBytes.merge(sessionId, (long) audioBytes, Long::sum);
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
        ChargeSum spent = ChargeSum.ZERO;
        long withoutCost = 0, projectedMs = 0, projectedUnpriced = 0;
        List<CostEstimate> projected = new ArrayList<>();
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
                if (result.getCost() != null) {
                    spent = spent.plus(new ChargeSum(result.getCost().getAmount(), result.getCost().getEstimated(),
                            result.getCostUnpriced()));
                } else if (result.getAttempt() > 0) {
                    withoutCost++; // never-dispatched runs (EXPIRED, NO_AUDIO) cost nothing
                }
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
            Optional<CostEstimate> projection = projection(session, result != null && (run == null
                    || run.equals(result.getRunToken())));
            if (projection.isPresent()) {
                projected.add(projection.get());
                projectedMs += projection.get().audioMs();
                projectedUnpriced += projection.get().cost().isEmpty() ? 1 : 0;
            }
        }
        Costs costs = new Costs(pricing.currency(), spent, withoutCost, projectedMs, CostEstimate.total(projected),
                projected.stream().allMatch(e -> e.kind() == CostEstimate.Kind.EXACT || e.cost().isEmpty()),
                projectedUnpriced);
        return new Summary(sessions.size(), completed, withErrors, failed, expired, inFlight, waiting, assembling, unread,
                audioMs, inputTokens, outputTokens, billed, firstStart == Long.MAX_VALUE ? 0 : firstStart, lastFinish,
                Map.copyOf(deadLetters), liveCount, liveCount == 0 ? 0 : liveOldestInput, costs);
    }

    /** What a session without a result will cost, from its indexed audio; empty without audio or a known format. */
    private Optional<CostEstimate> projection(String session, boolean hasResult) {
        Long bytes = indexedBytes.get(session);
        Planned plan = planned.get(session);
        if (hasResult || bytes == null || plan == null) {
            return Optional.empty();
        }
        return AudioEncoding.of(plan.format()).map(encoding -> CostEstimate.of(pricing.table(), pricing.provider(),
                plan.model().orElse("(transcription off)"), List.of(encoding.millisOf(bytes))));
    }
}
