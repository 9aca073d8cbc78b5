package dev.streamscribe.topology;

import dev.streamscribe.cost.SpendLedger;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The spend topic's records: what one incarnation writes, another reads back; anything else is not counted. */
class SpendTopicTest {
    @Test
    void anEntryIsReadBackAsWritten() {
        SpendLedger.Entry entry = new SpendLedger.Entry("2026-12", "worker-1/4f1c", 12.5, "USD");
        assertEquals(Optional.of(entry), SpendTopic.decode(entry.key(), SpendTopic.encode(entry, "worker-1")));
    }

    @Test
    void aRecordOfAnotherFormatOrWithoutAPeriodIsNotCounted() {
        assertEquals(Optional.empty(), SpendTopic.decode("total/w/1", "{\"format\":2,\"amount\":1,\"currency\":\"USD\"}"));
        assertEquals(Optional.empty(), SpendTopic.decode("no-period", "{\"format\":1,\"amount\":1,\"currency\":\"USD\"}"));
        assertEquals(Optional.empty(), SpendTopic.decode("total/w/1", "not json"));
        assertEquals(Optional.empty(), SpendTopic.decode("total/w/1", null));
    }
}
