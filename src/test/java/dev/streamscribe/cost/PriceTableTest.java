package dev.streamscribe.cost;

import dev.streamscribe.config.ConfigException;
import dev.streamscribe.realtime.event.ProviderUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The price table: what it accepts, what it refuses at start-up (naming the entry), and what it prices. */
class PriceTableTest {
    private static final double CENT = 1e-9;

    private static PriceTable table(String entries) {
        return PriceTable.parse(("{\"format\": 1, \"currency\": \"USD\", \"prices\": [" + entries + "]}")
                .getBytes(StandardCharsets.UTF_8), "test.json");
    }

    private static final String WHISPER = """
            {"provider": "openai", "model": "whisper-1", "billing": "DURATION", "perMinute": 0.006,
             "source": "https://openai.com/api/pricing/", "asOf": "2026-04-25"}""";

    private static String refusal(String entries) {
        return assertThrows(ConfigException.class, () -> table(entries)).getMessage();
    }

    @Test
    void theBundledTableIsValidAndPricesTheOpenAiTranscriptionModels() {
        PriceTable bundled = PriceTable.bundled();
        assertEquals("USD", bundled.currency());
        for (String model : new String[] {"whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-realtime"}) {
            assertTrue(bundled.find("openai", model).isPresent(), model);
        }
        assertEquals(Optional.empty(), bundled.find("inworld", "inworld/inworld-stt-1"), "unknown, never zero");
    }

    @Test
    void durationIsBilledPerCommitRoundedUpToWholeSeconds() {
        Price whisper = table(WHISPER).find("openai", "whisper-1").orElseThrow();
        // 5058 ms of audio is billed as 6 s (docs/protocol.md section 4)
        assertEquals(6 * 0.006 / 60, whisper.costOf(ProviderUsage.duration(5.058)).getAsDouble(), CENT);
        assertEquals(0.006, whisper.estimateOf(60_000).getAsDouble(), CENT);
        assertTrue(whisper.costOf(new ProviderUsage(ProviderUsage.Kind.TOKENS, 10, 10, 20, 0, 10, 0, 10, 0, 0))
                .isEmpty(), "a report this price does not bill by is not priced");
    }

    @Test
    void tokensArePricedByKindWithCachedInputAtItsOwnRate() {
        Price realtime = PriceTable.bundled().find("openai", "gpt-realtime").orElseThrow();
        // 1M audio in, 1M text in, 100k of the input cached (counted against the cheaper text input: the report does
        // not say which, and a cost is better too high than too low), 1M text out, 1M audio out
        ProviderUsage usage = new ProviderUsage(ProviderUsage.Kind.TOKENS, 2_000_000, 2_000_000, 4_000_000, 1_000_000,
                1_000_000, 100_000, 1_000_000, 1_000_000, 0);
        double expected = 32.00 + 0.9 * 4.00 + 0.1 * 0.40 + 16.00 + 64.00;
        assertEquals(expected, realtime.costOf(usage).getAsDouble(), CENT);
    }

    @Test
    void aTranscriptionReportWithoutDetailsCountsItsInputAsAudioAndItsOutputAsText() {
        Price transcribe = PriceTable.bundled().find("openai", "gpt-4o-transcribe").orElseThrow();
        ProviderUsage usage = new ProviderUsage(ProviderUsage.Kind.TOKENS, 1_000, 100, 1_100, 0, 0, 0, 0, 0, 0);
        assertEquals((1_000 * 6.00 + 100 * 10.00) / 1_000_000, transcribe.costOf(usage).getAsDouble(), CENT);
        assertEquals(0.006, transcribe.estimateOf(60_000).getAsDouble(), CENT, "the provider's own estimate");
    }

    @Test
    void aNegativeRateIsRefusedNamingTheEntry() {
        String message = refusal(WHISPER + ", " + WHISPER.replace("whisper-1", "whisper-2").replace("0.006", "-1"));
        assertTrue(message.contains("prices[1] (openai/whisper-2)") && message.contains("perMinute")
                && message.contains(">= 0"), message);
    }

    @Test
    void aMissingRateForItsBillingIsRefused() {
        String message = refusal(WHISPER.replace("\"perMinute\": 0.006,", ""));
        assertTrue(message.contains("prices[0] (openai/whisper-1)") && message.contains("perMinute is missing"), message);
    }

    @Test
    void aMisspeltRateIsRefusedInsteadOfPricingAtZero() {
        String message = refusal(WHISPER.replace("perMinute", "perMinut"));
        assertTrue(message.contains("unknown field 'perMinut'"), message);
    }

    @Test
    void anUnknownBillingABadDateAndADuplicateAreRefused() {
        assertTrue(refusal(WHISPER.replace("DURATION", "PER_REQUEST")).contains("billing must be DURATION or TOKENS"));
        assertTrue(refusal(WHISPER.replace("2026-04-25", "April")).contains("asOf must be a date"));
        assertTrue(refusal(WHISPER + ", " + WHISPER).contains("prices a model an earlier entry already prices"));
    }

    @Test
    void anotherFormatOrNoCurrencyIsRefused() {
        assertTrue(assertThrows(ConfigException.class, () -> PriceTable.parse(
                "{\"format\": 2, \"currency\": \"USD\", \"prices\": []}".getBytes(StandardCharsets.UTF_8), "f.json"))
                .getMessage().contains("this build reads format 1"));
        assertTrue(assertThrows(ConfigException.class, () -> PriceTable.parse(
                "{\"format\": 1, \"prices\": []}".getBytes(StandardCharsets.UTF_8), "f.json"))
                .getMessage().contains("currency"));
    }

    @Test
    void anOperatorsFileReplacesTheBundledTable(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prices.json");
        Files.writeString(file, "{\"format\": 1, \"currency\": \"EUR\", \"prices\": [" + WHISPER + "]}");
        PriceTable own = PriceTable.of(Optional.of(file));
        assertEquals("EUR", own.currency());
        assertEquals(1, own.size());
        assertEquals("pricing.file " + file, own.origin());
        ConfigException missing = assertThrows(ConfigException.class, () -> PriceTable.load(dir.resolve("none.json")));
        assertEquals("pricing.file", missing.key());
    }
}
