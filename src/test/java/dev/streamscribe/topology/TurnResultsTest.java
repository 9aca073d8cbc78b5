package dev.streamscribe.topology;

import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.avro.Usage;
import dev.streamscribe.avro.UsageKind;
import dev.streamscribe.cost.ChargeSum;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** turn-results values: every version ever written stays readable; the current one keeps what a resume restores. */
class TurnResultsTest {
    private static Properties version1() throws IOException {
        return fixtures(1);
    }

    private static Properties fixtures(int version) throws IOException {
        Properties fixtures = new Properties();
        try (InputStream in = TurnResultsTest.class.getResourceAsStream("/fixtures/turn-results-v" + version
                + "/turn-results.properties")) {
            fixtures.load(in);
        }
        return fixtures;
    }

    private static TurnResults.Recorded read(Properties fixtures, String name) {
        return TurnResults.decode(HexFormat.of().parseHex(fixtures.getProperty(name)));
    }

    @Test
    void everyEntryVersion1WroteIsReadAsATurnWhoseResponseWasNotWritten() throws IOException {
        Properties v1 = version1();
        TurnResults.Recorded duration = read(v1, "completed-duration");
        assertEquals(TurnStatus.COMPLETED, duration.status());
        assertEquals(UsageKind.DURATION, duration.usage().orElseThrow().getKind());
        assertEquals(3.0, duration.usage().orElseThrow().getDurationSeconds());
        TurnResults.Recorded tokens = read(v1, "completed-tokens");
        assertEquals(150, tokens.usage().orElseThrow().getTotalTokens());
        assertEquals(5, tokens.usage().orElseThrow().getInputCachedTokens());
        TurnResults.Recorded failed = read(v1, "failed");
        assertEquals(TurnStatus.FAILED, failed.status());
        assertTrue(failed.usage().isEmpty());
        for (TurnResults.Recorded recorded : new TurnResults.Recorded[] {duration, tokens, failed}) {
            assertFalse(recorded.responded(), "version 1's builds wrote ResponseEvents only with the outcome");
            assertTrue(recorded.userText().isEmpty() && recorded.assistantText().isEmpty());
            assertEquals(new ChargeSum(0, false, 1), recorded.cost(), "its TranscriptionEvent was written without a cost");
        }
    }

    @Test
    void everyEntryVersion2WroteIsReadWithTheCostOfItsEventsUnknown() throws IOException {
        Properties v2 = fixtures(2);
        TurnResults.Recorded responded = read(v2, "responded");
        assertTrue(responded.responded());
        assertEquals(Optional.of("hello there"), responded.userText());
        assertEquals(Optional.of("hi, how can I help?"), responded.assistantText());
        assertEquals(150, responded.usage().orElseThrow().getTotalTokens());
        assertEquals(new ChargeSum(0, false, 2), responded.cost(), "a transcription and a response, neither priced");
        TurnResults.Recorded plain = read(v2, "transcription-only");
        assertFalse(plain.responded());
        assertEquals(3.0, plain.usage().orElseThrow().getDurationSeconds());
        assertEquals(new ChargeSum(0, false, 1), plain.cost());
        assertEquals(TurnStatus.FAILED, read(v2, "failed").status());
    }

    @Test
    void theCurrentVersionKeepsTheResponseTheTextsAResumeRestoresAndTheTurnsCost() {
        Usage usage = Usage.newBuilder().setKind(UsageKind.TOKENS).setTotalTokens(42).build();
        TurnResults.Recorded recorded = new TurnResults.Recorded(TurnStatus.COMPLETED, Optional.of(usage), true,
                Optional.of("héllo there"), Optional.of(""), new ChargeSum(0.0125, true, 1));
        byte[] bytes = TurnResults.encode(recorded);
        assertEquals(3, bytes[0], "written as version 3");
        assertEquals(recorded, TurnResults.decode(bytes));
        TurnResults.Recorded plain = new TurnResults.Recorded(TurnStatus.SKIPPED, Optional.empty(), ChargeSum.ZERO);
        assertEquals(plain, TurnResults.decode(TurnResults.encode(plain)));
    }

    @Test
    void aProgressEntryOfVersion1IsReadWithoutALastTimeout() throws IOException {
        TurnResults.Progress progress = TurnResults.decodeProgress(
                HexFormat.of().parseHex(version1().getProperty("progress")));
        assertEquals(new TurnResults.Progress(3, 1500, "", 0), progress);
    }

    @Test
    void theCurrentProgressVersionKeepsTheLastTimeout() {
        TurnResults.Progress progress = new TurnResults.Progress(7, 2_000, "SESSION_TIMEOUT", 4);
        byte[] bytes = TurnResults.encodeProgress(progress);
        assertEquals(2, bytes[0]);
        assertEquals(progress, TurnResults.decodeProgress(bytes));
    }

    @Test
    void aVersionFromTheFutureIsRefusedWithAClearMessage() {
        byte[] bytes = TurnResults.encode(new TurnResults.Recorded(TurnStatus.FAILED, Optional.empty(), ChargeSum.ZERO));
        bytes[0] = 9;
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> TurnResults.decode(bytes));
        assertTrue(refused.getMessage().contains("version 9"), refused.getMessage());
    }
}
