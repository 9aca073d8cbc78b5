package dev.streamscribe.results;

import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.testing.SampleRecords;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A session's transcript has every turn of its run once, whichever attempt or connection wrote it. */
class ResultCollectorTest {
    private final ResultCollector collector = new ResultCollector();

    private static TranscriptionEvent turn(String run, int turn, int attempt, int connection, String text) {
        TranscriptionEvent event = SampleRecords.transcriptionEvent("s1");
        event.setRunToken(run);
        event.setTurnIndex(turn);
        event.setAttempt(attempt);
        event.setConnection(connection);
        event.setTranscript(text);
        return event;
    }

    private SessionResult result(String run, int attempt) {
        SessionResult result = SampleRecords.sessionResult("s1");
        result.setRunToken(run);
        result.setAttempt(attempt);
        collector.result(result);
        return result;
    }

    @Test
    void turnsWrittenByThreeConnectionsOfOneRunAreEachExportedOnce() {
        collector.transcription(turn("r1", 0, 1, 1, "one"));
        collector.transcription(turn("r1", 1, 1, 2, "two")); // a restart: same attempt, next connection
        collector.transcription(turn("r1", 2, 2, 3, "three")); // a retry: next attempt and connection
        result("r1", 2);
        SessionTranscript transcript = collector.transcript("s1").orElseThrow();
        assertEquals(List.of(0, 1, 2), transcript.turns().stream().map(TranscriptionEvent::getTurnIndex).toList());
        assertEquals("one two three", transcript.text());
    }

    @Test
    void aLaterRunsTranscriptHasOnlyItsOwnTurns() {
        collector.transcription(turn("r1", 0, 1, 1, "old"));
        collector.transcription(turn("r2", 0, 1, 1, "new"));
        result("r2", 1);
        assertEquals("new", collector.transcript("s1").orElseThrow().text());
    }

    @Test
    void aResponseSeenTwiceForOneTurnIsKeptOnce() {
        ResponseEvent first = SampleRecords.responseEvent("s1");
        first.setRunToken("r1");
        first.setTurnIndex(0);
        ResponseEvent again = ResponseEvent.newBuilder(first).setConnection(2).build();
        collector.response(first);
        collector.response(again);
        result("r1", 1);
        List<ResponseEvent> responses = collector.transcript("s1").orElseThrow().responses();
        assertEquals(1, responses.size());
        assertEquals(2, responses.getFirst().getConnection(), "the later record is kept");
    }
}
