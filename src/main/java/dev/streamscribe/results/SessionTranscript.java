package dev.streamscribe.results;

import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.TranscriptionEvent;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One session's finished run: its result and the run's turns and responses (one each per turn, whichever
 * connection produced it), in turn order.
 */
public record SessionTranscript(SessionResult result, List<TranscriptionEvent> turns, List<ResponseEvent> responses) {
    public SessionTranscript {
        turns = turns.stream().sorted(Comparator.comparingInt(TranscriptionEvent::getTurnIndex)).toList();
        responses = responses.stream().sorted(Comparator.comparingInt(ResponseEvent::getTurnIndex)).toList();
    }

    public String sessionId() {
        return result.getSessionId();
    }

    /** The file the session came from, as ingest recorded it in the metadata. */
    public Optional<String> source() {
        return Optional.ofNullable(result.getMetadata().get("source")).filter(s -> !s.isBlank());
    }

    /** Every turn's transcript that has one, joined with single spaces. */
    public String text() {
        return String.join(" ", turns.stream().map(TranscriptionEvent::getTranscript).map(String::strip)
                .filter(t -> !t.isEmpty()).toList());
    }

    public List<ResponseEvent> responsesTo(int turnIndex) {
        return responses.stream().filter(r -> r.getTurnIndex() == turnIndex).toList();
    }
}
