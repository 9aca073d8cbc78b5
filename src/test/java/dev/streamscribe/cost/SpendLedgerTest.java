package dev.streamscribe.cost;

import dev.streamscribe.realtime.event.ProviderUsage;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spend per budget period over every incarnation of an application id, priced by the bundled table. */
class SpendLedgerTest {
    private static final Pricing OPENAI = new Pricing(PriceTable.bundled(), "openai");
    private static final Optional<String> WHISPER = Optional.of("whisper-1");
    private static final double PER_SECOND = 0.006 / 60;
    private static final long DEC_7 = Instant.parse("2026-12-07T12:00:00Z").toEpochMilli();
    private static final long DEC_8 = Instant.parse("2026-12-08T00:00:01Z").toEpochMilli();

    private final List<SpendLedger.Entry> published = new ArrayList<>();

    private SpendLedger ledger(double max, Budget.Period period) {
        return new SpendLedger("USD", new Budget(OptionalDouble.of(max), period), "worker-1/a", published::add);
    }

    /** A turn's transcription reported billed, priced as the pipeline prices it (the provider's {@link Pricing}). */
    private static void transcribed(SpendLedger ledger, Optional<String> model, Optional<ProviderUsage> usage,
                                    long audioMs, long nowMs) {
        ledger.charge(OPENAI.transcription(model, usage, audioMs), nowMs);
    }

    private static Optional<ProviderUsage> seconds(double s) {
        return Optional.of(ProviderUsage.duration(s));
    }

    @Test
    void eachBilledCallAddsItsCostAndPublishesTheIncarnationsRunningTotal() {
        SpendLedger ledger = ledger(1, Budget.Period.TOTAL);
        transcribed(ledger, WHISPER, seconds(10), 10_000, DEC_7);
        transcribed(ledger, WHISPER, seconds(2.5), 2_500, DEC_7);
        assertEquals(13 * PER_SECOND, ledger.spent(DEC_7), 1e-12, "2.5 s billed as 3 s");
        assertEquals(2, published.size(), "one running total per call");
        assertEquals("total/worker-1/a", published.getLast().key());
        assertEquals(10 * PER_SECOND, published.getFirst().amount(), 1e-12);
        assertEquals(13 * PER_SECOND, published.getLast().amount(), 1e-12);
    }

    @Test
    void theSpendIsTheSumOfEveryOtherIncarnationsLatestTotal() {
        SpendLedger ledger = ledger(1, Budget.Period.TOTAL);
        transcribed(ledger, WHISPER, seconds(60), 60_000, DEC_7);
        ledger.observe(new SpendLedger.Entry("total", "worker-2/b", 0.10, "USD"), DEC_7);
        ledger.observe(new SpendLedger.Entry("total", "worker-2/b", 0.25, "USD"), DEC_7);
        ledger.observe(new SpendLedger.Entry("total", "worker-2/b", 0.10, "USD"), DEC_7); // read again, out of order
        ledger.observe(new SpendLedger.Entry("total", "worker-1/old", 0.50, "USD"), DEC_7); // before a restart
        assertEquals(0.006 + 0.25 + 0.50, ledger.spent(DEC_7), 1e-12);
    }

    @Test
    void itsOwnEntriesReadBackAndAnotherCurrencysAreNotCountedAgain() {
        SpendLedger ledger = ledger(1, Budget.Period.TOTAL);
        transcribed(ledger, WHISPER, seconds(60), 60_000, DEC_7);
        ledger.observe(published.getFirst(), DEC_7);
        ledger.observe(new SpendLedger.Entry("total", "worker-3/c", 9, "EUR"), DEC_7);
        assertEquals(0.006, ledger.spent(DEC_7), 1e-12);
    }

    @Test
    void admissionStopsOnceTheSpendReachesTheBudget() {
        SpendLedger ledger = ledger(0.012, Budget.Period.TOTAL);
        transcribed(ledger, WHISPER, seconds(60), 60_000, DEC_7);
        assertFalse(ledger.exhausted(DEC_7), "0.006 of 0.012");
        transcribed(ledger, WHISPER, seconds(60), 60_000, DEC_7);
        assertTrue(ledger.exhausted(DEC_7), "0.012 of 0.012");
    }

    @Test
    void aDailyBudgetStartsFromZeroEachUtcDay() {
        SpendLedger ledger = ledger(0.006, Budget.Period.DAY);
        ledger.observe(new SpendLedger.Entry("2026-12-07", "worker-2/b", 0.006, "USD"), DEC_7);
        assertTrue(ledger.exhausted(DEC_7));
        assertFalse(ledger.exhausted(DEC_8), "a new day");
        transcribed(ledger, WHISPER, seconds(30), 30_000, DEC_8);
        assertEquals(0.003, ledger.spent(DEC_8), 1e-12);
        assertEquals("2026-12-08", published.getLast().bucket());
        ledger.observe(new SpendLedger.Entry("2026-12-07", "worker-2/b", 0.5, "USD"), DEC_8); // late, yesterday's
        assertEquals(0.003, ledger.spent(DEC_8), 1e-12);
    }

    @Test
    void aCallOfUnknownCostIsCountedApartNeverAsFree() {
        SpendLedger ledger = ledger(1, Budget.Period.TOTAL);
        transcribed(ledger, Optional.of("whisper-9"), seconds(60), 60_000, DEC_7);
        ledger.charge(OPENAI.response(Optional.empty(), Optional.empty()), DEC_7);
        assertEquals(0.0, ledger.spent(DEC_7));
        assertEquals(2, ledger.unpriced());
        assertTrue(published.isEmpty());
    }

    @Test
    void aKnownModelThatReportedNoUsageIsChargedItsEstimate() {
        SpendLedger ledger = ledger(1, Budget.Period.TOTAL);
        transcribed(ledger, Optional.of("gpt-4o-transcribe"), Optional.empty(), 60_000, DEC_7);
        assertEquals(0.006, ledger.spent(DEC_7), 1e-12, "the provider's own estimate per minute");
    }

    @Test
    void withoutABudgetNothingIsCountedAndAdmissionNeverStops() {
        SpendLedger ledger = SpendLedger.UNTRACKED;
        transcribed(ledger, WHISPER, seconds(600), 600_000, DEC_7);
        assertEquals(0.0, ledger.spent(DEC_7));
        assertFalse(ledger.exhausted(DEC_7));
    }

    @Test
    void periodsAreNamedByTheirUtcCalendarDayOrMonth() {
        long late = Instant.parse("2026-12-31T23:59:59Z").toEpochMilli();
        assertEquals("2026-12-31", Budget.Period.DAY.bucket(late));
        assertEquals("2026-12", Budget.Period.MONTH.bucket(late));
        assertEquals("total", Budget.Period.TOTAL.bucket(late));
    }
}
