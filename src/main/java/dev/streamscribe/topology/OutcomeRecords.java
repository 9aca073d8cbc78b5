package dev.streamscribe.topology;

import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.ResponseStatus;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TokenLogprob;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.avro.Usage;
import dev.streamscribe.avro.UsageKind;
import dev.streamscribe.cost.Charge;
import dev.streamscribe.cost.ChargeSum;
import dev.streamscribe.realtime.driver.ResponseResult;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.TurnCheckpoint;
import dev.streamscribe.realtime.driver.TurnResult;
import dev.streamscribe.realtime.driver.TurnSpec;
import dev.streamscribe.realtime.event.ProviderUsage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The records one finished attempt produces, all written together: one TranscriptionEvent per turn that has none
 * yet (turns checkpointed by earlier connections or earlier in this one are not written again), one ResponseEvent
 * per response, exactly one SessionResult summing every turn of the run, and a DeadLetter when the session failed.
 * Pure.
 */
public record OutcomeRecords(List<TranscriptionEvent> transcriptions, List<ResponseEvent> responses,
                             SessionResult result, Optional<DeadLetter> deadLetter) {

    /**
     * @param recorded the run's turns that already have their TranscriptionEvent ({@code turn-results}), by index
     * @param progress the run's audio progress (what the provider was given more than once)
     */
    static OutcomeRecords of(CompletedAttempt attempt, ServedBy served, long nowMs,
                             Map<Integer, TurnResults.Recorded> recorded, TurnResults.Progress progress) {
        String dialect = served.dialect();
        List<TranscriptionEvent> transcriptions = new ArrayList<>();
        List<ResponseEvent> responses = new ArrayList<>();
        SessionResult.Builder result = SessionResult.newBuilder().setSessionId(attempt.sessionId())
                .setRunToken(attempt.runToken()).setAttempt(attempt.attempt()).setConnections(attempt.connection())
                .setTurnsTotal(attempt.turns().size())
                .setAudioMs(attempt.audioMs()).setDialect(dialect).setMetadata(attempt.config().getMetadata())
                .setStartedAtMs(attempt.startedAtMs()).setFinishedAtMs(nowMs)
                .setProviderSessionIds(attempt.outcome().providerSessionIds())
                .setAudioResentMs(progress.audioResentMs());
        String model = transcriptionModel(attempt.config());
        Optional<DeadLetter> deadLetter = Optional.empty();
        ChargeSum cost = ChargeSum.ZERO;
        for (TurnResults.Recorded earlier : recorded.values()) {
            cost = cost.plus(earlier.cost());
        }
        switch (attempt.outcome()) {
            case SessionOutcome.Completed completed -> {
                Usage total = null;
                for (TurnResult turn : completed.turns()) {
                    if (!recorded.containsKey(turn.turnIndex())) {
                        transcriptions.add(transcription(attempt.sessionId(), attempt.runToken(), attempt.attempt(),
                                attempt.connection(), turn, served, model, nowMs));
                    }
                }
                for (TranscriptionEvent event : transcriptions) {
                    total = add(total, Optional.ofNullable(event.getUsage()));
                    cost = cost.plus(ServedBy.charge(event.getCost()));
                }
                for (TurnResults.Recorded earlier : recorded.values()) {
                    total = add(total, earlier.usage());
                }
                for (ResponseResult response : completed.responses()) {
                    TurnResults.Recorded earlier = recorded.get(response.turnIndex());
                    if (earlier != null && earlier.responded()) {
                        continue; // checkpointed with its turn; its usage is in the turn's
                    }
                    ResponseEvent event = response(attempt.sessionId(), attempt.runToken(), attempt.attempt(),
                            attempt.connection(), response, served, attempt.config(), nowMs);
                    responses.add(event);
                    total = addProvider(total, response.usage());
                    cost = cost.plus(ServedBy.charge(event.getCost()));
                }
                int respondedEarlier = (int) recorded.values().stream().filter(TurnResults.Recorded::responded).count();
                int done = count(transcriptions, TurnStatus.COMPLETED) + count(recorded, TurnStatus.COMPLETED);
                int all = transcriptions.size() + recorded.size();
                result.setStatus(done == all ? SessionStatus.COMPLETED : SessionStatus.COMPLETED_WITH_ERRORS)
                        .setTurnsCompleted(done)
                        .setTurnsFailed(count(transcriptions, TurnStatus.FAILED) + count(recorded, TurnStatus.FAILED))
                        .setTurnsSkipped(count(transcriptions, TurnStatus.SKIPPED) + count(recorded, TurnStatus.SKIPPED))
                        .setResponsesTotal(responses.size() + respondedEarlier).setUsage(total);
                if (done < all) {
                    result.setReason("TURNS_NOT_COMPLETED");
                }
            }
            case SessionOutcome.Failed failed -> {
                String reason = failed.classification().reason();
                for (TurnSpec turn : attempt.turns()) {
                    if (recorded.containsKey(turn.turnIndex())) {
                        continue; // it has its event from an earlier connection: the failure does not take it back
                    }
                    boolean skipped = !turn.sendable();
                    transcriptions.add(TranscriptionEvent.newBuilder().setSessionId(attempt.sessionId())
                            .setRunToken(attempt.runToken()).setAttempt(attempt.attempt())
                            .setConnection(attempt.connection()).setTurnIndex(turn.turnIndex())
                            .setStatus(skipped ? TurnStatus.SKIPPED : TurnStatus.FAILED)
                            .setReason(skipped ? "TURN_TOO_SHORT" : "SESSION_FAILED: " + reason)
                            .setTurnStartMs(turn.startMs()).setTurnEndMs(turn.endMs()).setDialect(dialect)
                            .setTranscriptionModel(model).setCompletedAtMs(nowMs).setProvider(served.provider())
                            // a SKIPPED turn was never sent; what the provider was given of a FAILED one is not known
                            .setCost(skipped ? served.cost(Optional.of(Charge.NONE)) : null).build());
                }
                for (TranscriptionEvent event : transcriptions) {
                    cost = cost.plus(ServedBy.charge(event.getCost()));
                }
                Usage total = null;
                for (TurnResults.Recorded earlier : recorded.values()) {
                    total = add(total, earlier.usage());
                }
                result.setStatus(SessionStatus.FAILED).setReason(reason).setMessage(failed.classification().message())
                        .setResponsesTotal((int) recorded.values().stream().filter(TurnResults.Recorded::responded).count())
                        .setTurnsCompleted(count(recorded, TurnStatus.COMPLETED))
                        .setTurnsFailed(count(transcriptions, TurnStatus.FAILED) + count(recorded, TurnStatus.FAILED))
                        .setTurnsSkipped(count(transcriptions, TurnStatus.SKIPPED) + count(recorded, TurnStatus.SKIPPED))
                        .setUsage(total);
                deadLetter = Optional.of(DeadLetters.forRun(reason, "session '" + attempt.sessionId() + "' run '"
                        + attempt.runToken() + "' failed after " + attempt.attempt() + " attempt(s): "
                        + failed.classification().message(), attempt.sessionId(), attempt.runToken(), attempt.attempt(),
                        nowMs));
            }
        }
        result.setCost(served.cost(cost)).setCostUnpriced(cost.unpriced());
        return new OutcomeRecords(transcriptions, responses, result.build(), deadLetter);
    }

    private static int count(List<TranscriptionEvent> events, TurnStatus status) {
        return (int) events.stream().filter(e -> e.getStatus() == status).count();
    }

    private static int count(Map<Integer, TurnResults.Recorded> recorded, TurnStatus status) {
        return (int) recorded.values().stream().filter(r -> r.status() == status).count();
    }

    /** The TranscriptionEvent of one turn that finished while its attempt goes on (a checkpoint). */
    static TranscriptionEvent transcription(FinishedTurn turn, long nowMs) {
        return transcription(turn.sessionId(), turn.runToken(), turn.attempt(), turn.connection(),
                turn.checkpoint().turn(), turn.served(), transcriptionModel(turn.config()), nowMs);
    }

    private static String transcriptionModel(SessionConfig config) {
        return config.getTranscription() == null ? null : config.getTranscription().getModel();
    }

    /** The ResponseEvent of a checkpointed turn that asked for a response. */
    static ResponseEvent response(FinishedTurn turn, long nowMs) {
        return response(turn.sessionId(), turn.runToken(), turn.attempt(), turn.connection(),
                turn.checkpoint().response().orElseThrow(), turn.served(), turn.config(), nowMs);
    }

    /**
     * What {@code turn-results} keeps of a checkpointed turn: the written events' status, usage and cost, and, for a session
     * with responses, the texts a resumed conversation restores.
     *
     * @param earlier  the turn's entry before (recorded without its response by an older build), if any
     * @param event    the TranscriptionEvent written now (null: {@code earlier} has it)
     * @param response the ResponseEvent written now, if any
     */
    static TurnResults.Recorded recorded(SessionConfig config, Optional<TurnResults.Recorded> earlier,
                                         TranscriptionEvent event, ResponseEvent response, TurnCheckpoint checkpoint) {
        TurnStatus status = event != null ? event.getStatus() : earlier.orElseThrow().status();
        Optional<Usage> usage = event != null ? Optional.ofNullable(event.getUsage()) : earlier.orElseThrow().usage();
        ChargeSum cost = event != null ? ChargeSum.ZERO.plus(ServedBy.charge(event.getCost()))
                : earlier.orElseThrow().cost();
        if (response != null) {
            usage = Optional.ofNullable(add(usage.orElse(null), Optional.ofNullable(response.getUsage())));
            cost = cost.plus(ServedBy.charge(response.getCost()));
        }
        boolean conversation = config.getResponse() != null;
        TurnResult turn = checkpoint.turn();
        return new TurnResults.Recorded(status, usage, response != null || earlier.map(TurnResults.Recorded::responded)
                .orElse(false),
                conversation && turn.status() == TurnStatus.COMPLETED ? Optional.of(turn.transcript()) : Optional.empty(),
                conversation ? checkpoint.response().map(ResponseResult::said) : Optional.empty(), cost);
    }

    /** What {@code turn-results} keeps of a turn whose events were written with its attempt's outcome. */
    static TurnResults.Recorded recorded(TranscriptionEvent event, Optional<ResponseEvent> response) {
        ChargeSum cost = ChargeSum.ZERO.plus(ServedBy.charge(event.getCost()));
        if (response.isPresent()) {
            cost = cost.plus(ServedBy.charge(response.get().getCost()));
        }
        return new TurnResults.Recorded(event.getStatus(), Optional.ofNullable(event.getUsage()), response.isPresent(),
                Optional.empty(), Optional.empty(), cost);
    }

    private static TranscriptionEvent transcription(String sessionId, String runToken, int attempt, int connection,
                                                    TurnResult turn, ServedBy served, String model, long nowMs) {
        List<TokenLogprob> logprobs = turn.logprobs().stream().map(l -> TokenLogprob.newBuilder().setToken(l.token())
                .setLogprob(l.logprob()).setBytes(l.bytes()).build()).toList();
        return TranscriptionEvent.newBuilder().setSessionId(sessionId).setRunToken(runToken)
                .setAttempt(attempt).setConnection(connection).setTurnIndex(turn.turnIndex())
                .setStatus(turn.status())
                .setReason(turn.reason().orElse(null)).setTranscript(turn.transcript()).setTurnStartMs(turn.startMs())
                .setTurnEndMs(turn.endMs()).setLanguage(turn.language().orElse(null))
                .setUsage(turn.usage().map(OutcomeRecords::usage).orElse(null)).setLogprobs(logprobs)
                .setDialect(served.dialect()).setTranscriptionModel(model)
                .setProviderSessionId(turn.providerSessionId().orElse(null))
                .setItemId(turn.itemId().orElse(null)).setCompletedAtMs(nowMs).setProvider(served.provider())
                .setCost(served.cost(turn.status() == TurnStatus.SKIPPED && turn.usage().isEmpty()
                        ? Optional.of(Charge.NONE) // never sent: too short to commit
                        : served.pricing().transcription(Optional.ofNullable(model), turn.usage(), turn.endMs() - turn.startMs())))
                .build();
    }

    private static ResponseEvent response(String sessionId, String runToken, int attempt, int connection,
                                          ResponseResult response, ServedBy served, SessionConfig config,
                                          long nowMs) {
        ResponseStatus status;
        try {
            status = ResponseStatus.valueOf(response.status().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            status = ResponseStatus.UNKNOWN;
        }
        return ResponseEvent.newBuilder().setSessionId(sessionId).setRunToken(runToken)
                .setAttempt(attempt).setConnection(connection).setTurnIndex(response.turnIndex())
                .setContext(response.context().orElse(null))
                .setStatus(status)
                .setStatusReason(response.statusReason().orElse(null))
                .setErrorType(response.error().map(e -> e.type()).orElse(null))
                .setErrorCode(response.error().flatMap(e -> e.code()).orElse(null))
                .setErrorMessage(response.error().map(e -> e.message()).orElse(null))
                .setText(response.text()).setAudioTranscript(response.audioTranscript())
                .setUsage(response.usage().map(OutcomeRecords::usage).orElse(null)).setDialect(served.dialect())
                .setProvider(served.provider()).setModel(config.getModel())
                .setCost(served.cost(served.pricing().response(Optional.ofNullable(config.getModel()), response.usage())))
                .setProviderSessionId(response.providerSessionId().orElse(null)).setItemId(response.itemId().orElse(null))
                .setResponseId(response.responseId().orElse(null)).setCompletedAtMs(nowMs).build();
    }

    static Usage usage(ProviderUsage usage) {
        return Usage.newBuilder().setKind(usage.kind() == ProviderUsage.Kind.DURATION ? UsageKind.DURATION : UsageKind.TOKENS)
                .setInputTokens(usage.inputTokens()).setOutputTokens(usage.outputTokens()).setTotalTokens(usage.totalTokens())
                .setInputTextTokens(usage.inputTextTokens()).setInputAudioTokens(usage.inputAudioTokens())
                .setInputCachedTokens(usage.inputCachedTokens()).setOutputTextTokens(usage.outputTextTokens())
                .setOutputAudioTokens(usage.outputAudioTokens()).setDurationSeconds(usage.durationSeconds()).build();
    }

    private static Usage addProvider(Usage total, Optional<ProviderUsage> more) {
        return add(total, more.map(OutcomeRecords::usage));
    }

    /** Sums usage; the kind of a mix of tokens and seconds is TOKENS (both totals are kept). */
    private static Usage add(Usage total, Optional<Usage> more) {
        if (more.isEmpty()) {
            return total;
        }
        Usage next = more.get();
        if (total == null) {
            return next;
        }
        return Usage.newBuilder().setKind(total.getKind() == next.getKind() ? total.getKind() : UsageKind.TOKENS)
                .setInputTokens(total.getInputTokens() + next.getInputTokens())
                .setOutputTokens(total.getOutputTokens() + next.getOutputTokens())
                .setTotalTokens(total.getTotalTokens() + next.getTotalTokens())
                .setInputTextTokens(total.getInputTextTokens() + next.getInputTextTokens())
                .setInputAudioTokens(total.getInputAudioTokens() + next.getInputAudioTokens())
                .setInputCachedTokens(total.getInputCachedTokens() + next.getInputCachedTokens())
                .setOutputTextTokens(total.getOutputTextTokens() + next.getOutputTextTokens())
                .setOutputAudioTokens(total.getOutputAudioTokens() + next.getOutputAudioTokens())
                .setDurationSeconds(total.getDurationSeconds() + next.getDurationSeconds()).build();
    }
}
