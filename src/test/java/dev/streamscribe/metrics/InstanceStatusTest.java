package dev.streamscribe.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** An instance's report reads back as written, whatever else a later version adds, and nothing else parses as one. */
class InstanceStatusTest {
    @Test
    void aReportReadsBackAsWritten() {
        InstanceStatus written = new InstanceStatus("worker-1", "RUNNING",
                List.of("schema registry unavailable for 12 s", "admission paused for 3 s more"), 1_700_000_000_000L);
        assertEquals(Optional.of(written), InstanceStatus.fromJson(written.toJson()));
    }

    @Test
    void fieldsALaterVersionAddsAreIgnored() {
        assertEquals(Optional.of(new InstanceStatus("w", "RUNNING", List.of(), 5)), InstanceStatus.fromJson(
                "{\"instance\":\"w\",\"state\":\"RUNNING\",\"updatedAtMs\":5,\"conditions\":[],\"breaker\":\"OPEN\"}"));
    }

    @Test
    void somethingElseOnTheTopicIsNotAReport() {
        assertEquals(Optional.empty(), InstanceStatus.fromJson("not json"));
        assertEquals(Optional.empty(), InstanceStatus.fromJson("{\"state\":\"RUNNING\"}"));
    }
}
