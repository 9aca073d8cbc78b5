package dev.streamscribe.topology;

import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.cost.ChargeSum;
import dev.streamscribe.cost.PriceTable;
import dev.streamscribe.cost.Pricing;
import dev.streamscribe.realtime.driver.Classification;
import dev.streamscribe.realtime.driver.ResponseResult;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.TurnResult;
import dev.streamscribe.realtime.driver.TurnSpec;
import dev.streamscribe.realtime.event.ProviderUsage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cost the result records carry, priced by the bundled price table (src/main/resources/pricing/prices.json). */
class OutcomeRecordsCostTest {
    private static final ServedBy OPENAI = new ServedBy("openai", "openai-ga", new Pricing(PriceTable.bundled(), "openai"));
    private static final double WHISPER_PER_SECOND = 0.006 / 60;

    private static SessionConfig config(String transcriptionModel, String realtimeModel) {
        return SessionConfig.newBuilder().setSessionId("s1").setRunToken("run-1").setModel(realtimeModel)
                .setTranscription(TranscriptionSettings.newBuilder().setModel(transcriptionModel).build()).build();
    }

    private static TurnSpec spec(int index, long startMs, long endMs) {
        return new TurnSpec(index, startMs, endMs, false);
    }

    private static TurnResult done(TurnSpec turn, Optional<ProviderUsage> usage) {
        return new TurnResult(turn.turnIndex(), TurnStatus.COMPLETED, Optional.empty(), "words", turn.startMs(),
                turn.endMs(), Optional.of("item_" + turn.turnIndex()), usage, List.of(), Optional.empty(),
                Optional.empty());
    }

    private static ProviderUsage seconds(double seconds) {
        return ProviderUsage.duration(seconds);
    }

    private static ProviderUsage tokens(long audioIn, long textIn, long textOut, long audioOut) {
        return new ProviderUsage(ProviderUsage.Kind.TOKENS, audioIn + textIn, textOut + audioOut,
                audioIn + textIn + textOut + audioOut, textIn, audioIn, 0, textOut, audioOut, 0);
    }

    private static OutcomeRecords completed(SessionConfig config, List<TurnSpec> turns, List<TurnResult> results,
                                            List<ResponseResult> responses, Map<Integer, TurnResults.Recorded> recorded) {
        CompletedAttempt attempt = new CompletedAttempt("s1", "run-1", 1, 1, config, turns,
                turns.getLast().endMs(), 0, new SessionOutcome.Completed(results, responses, List.of("sess_1"), 0, 0), OPENAI);
        return OutcomeRecords.of(attempt, OPENAI, 1_000, recorded, TurnResults.Progress.NONE);
    }

    @Test
    void aDurationBilledTurnCostsItsReportedSecondsRoundedUpAtThePricePerMinute() {
        List<TurnSpec> turns = List.of(spec(0, 0, 2_300), spec(1, 2_300, 7_000));
        OutcomeRecords records = completed(config("whisper-1", null), turns,
                List.of(done(turns.get(0), Optional.of(seconds(2.3))), done(turns.get(1), Optional.of(seconds(4.7)))),
                List.of(), Map.of());
        TranscriptionEvent first = records.transcriptions().getFirst();
        assertEquals("openai", first.getProvider());
        assertEquals(3 * WHISPER_PER_SECOND, first.getCost().getAmount(), 1e-12, "2.3 s billed as 3 s");
        assertEquals("USD", first.getCost().getCurrency());
        assertFalse(first.getCost().getEstimated());
        SessionResult result = records.result();
        assertEquals(8 * WHISPER_PER_SECOND, result.getCost().getAmount(), 1e-12, "3 s + 5 s");
        assertEquals(0, result.getCostUnpriced());
    }

    @Test
    void aTokenBilledTurnCostsItsReportedTokensAtTheirRates() {
        List<TurnSpec> turns = List.of(spec(0, 0, 5_000));
        OutcomeRecords records = completed(config("gpt-4o-transcribe", null), turns,
                List.of(done(turns.get(0), Optional.of(tokens(50, 0, 10, 0)))), List.of(), Map.of());
        // 50 audio tokens at 6.00 and 10 text output tokens at 10.00 per million
        assertEquals((50 * 6.00 + 10 * 10.00) / 1e6, records.transcriptions().getFirst().getCost().getAmount(), 1e-15);
        assertFalse(records.result().getCost().getEstimated());
    }

    @Test
    void aKnownModelThatReportedNoUsageIsPricedFromItsDurationAndMarkedAsAnEstimate() {
        List<TurnSpec> turns = List.of(spec(0, 0, 30_000));
        OutcomeRecords records = completed(config("gpt-4o-transcribe", null), turns,
                List.of(done(turns.get(0), Optional.empty())), List.of(), Map.of());
        TranscriptionEvent event = records.transcriptions().getFirst();
        assertEquals(0.006 / 2, event.getCost().getAmount(), 1e-12, "half a minute at the provider's 0.006/min");
        assertTrue(event.getCost().getEstimated());
        assertTrue(records.result().getCost().getEstimated(), "an estimated part makes the sum an estimate");
    }

    @Test
    void aModelWithoutAPriceHasAnUnknownCostThatTheResultCountsApartNeverZero() {
        List<TurnSpec> turns = List.of(spec(0, 0, 1_000), spec(1, 1_000, 2_000));
        OutcomeRecords records = completed(config("whisper-9", null), turns,
                List.of(done(turns.get(0), Optional.of(seconds(1))), done(turns.get(1), Optional.of(seconds(1)))),
                List.of(), Map.of());
        assertNull(records.transcriptions().getFirst().getCost());
        assertEquals(0.0, records.result().getCost().getAmount());
        assertEquals(2, records.result().getCostUnpriced());
    }

    @Test
    void aResponseIsPricedForTheRealtimeModelAndOneWithoutUsageIsUnknown() {
        List<TurnSpec> turns = List.of(new TurnSpec(0, 0, 1_000, true), new TurnSpec(1, 1_000, 2_000, true));
        List<ResponseResult> responses = List.of(response(0, Optional.of(tokens(0, 100, 20, 0))),
                response(1, Optional.empty()));
        OutcomeRecords records = completed(config("whisper-1", "gpt-realtime"), turns,
                List.of(done(turns.get(0), Optional.of(seconds(1))), done(turns.get(1), Optional.of(seconds(1)))),
                responses, Map.of());
        ResponseEvent priced = records.responses().getFirst();
        assertEquals("gpt-realtime", priced.getModel());
        assertEquals((100 * 4.00 + 20 * 16.00) / 1e6, priced.getCost().getAmount(), 1e-15);
        assertNull(records.responses().get(1).getCost());
        assertEquals(2 * WHISPER_PER_SECOND + (100 * 4.00 + 20 * 16.00) / 1e6,
                records.result().getCost().getAmount(), 1e-12);
        assertEquals(1, records.result().getCostUnpriced());
    }

    @Test
    void theResultSumsTheCostOfTurnsCheckpointedByEarlierConnections() {
        List<TurnSpec> turns = List.of(spec(0, 0, 1_000), spec(1, 1_000, 2_000));
        Map<Integer, TurnResults.Recorded> recorded = Map.of(0, new TurnResults.Recorded(TurnStatus.COMPLETED,
                Optional.empty(), new ChargeSum(0.25, true, 1)));
        OutcomeRecords records = completed(config("whisper-1", null), turns,
                List.of(done(turns.get(0), Optional.of(seconds(1))), done(turns.get(1), Optional.of(seconds(1)))),
                List.of(), recorded);
        assertEquals(List.of(1), records.transcriptions().stream().map(TranscriptionEvent::getTurnIndex).toList());
        assertEquals(0.25 + WHISPER_PER_SECOND, records.result().getCost().getAmount(), 1e-12);
        assertTrue(records.result().getCost().getEstimated());
        assertEquals(1, records.result().getCostUnpriced());
    }

    @Test
    void aFailedSessionsTurnsHaveAnUnknownCostExceptATurnTooShortToSendWhichCostNothing() {
        List<TurnSpec> turns = List.of(spec(0, 0, 1_000), spec(1, 1_000, 1_050));
        CompletedAttempt attempt = new CompletedAttempt("s1", "run-1", 3, 3, config("whisper-1", null), turns, 1_050, 0,
                new SessionOutcome.Failed(Classification.permanent("PERMANENT_PROVIDER_ERROR", "no"), List.of()), OPENAI);
        OutcomeRecords records = OutcomeRecords.of(attempt, OPENAI, 1_000, Map.of(), TurnResults.Progress.NONE);
        assertNull(records.transcriptions().get(0).getCost(), "what the provider was given of it is not known");
        assertEquals(TurnStatus.SKIPPED, records.transcriptions().get(1).getStatus());
        assertEquals(0.0, records.transcriptions().get(1).getCost().getAmount());
        assertEquals(1, records.result().getCostUnpriced());
    }

    @Test
    void aCheckpointedTurnKeepsItsTranscriptionAndResponseCostTogether() {
        List<TurnSpec> turns = List.of(new TurnSpec(0, 0, 1_000, true));
        OutcomeRecords records = completed(config("whisper-1", "gpt-realtime"), turns,
                List.of(done(turns.get(0), Optional.of(seconds(1)))),
                List.of(response(0, Optional.of(tokens(0, 100, 20, 0)))), Map.of());
        TurnResults.Recorded kept = OutcomeRecords.recorded(records.transcriptions().getFirst(),
                Optional.of(records.responses().getFirst()));
        assertEquals(records.result().getCost().getAmount(), kept.cost().amount(), 1e-15);
        assertTrue(kept.responded());
    }

    private static ResponseResult response(int turn, Optional<ProviderUsage> usage) {
        return new ResponseResult(turn, Optional.of("resp_" + turn), "completed", Optional.empty(), Optional.empty(),
                "answer", "", usage, Optional.empty(), Optional.empty(), Optional.empty());
    }
}
