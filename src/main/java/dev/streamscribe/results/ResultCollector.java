package dev.streamscribe.results;

import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.TranscriptionEvent;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gathers what the pipeline wrote: the latest SessionResult per session, and the turns and responses of every
 * (session, run), one per turn, whichever attempt or connection wrote it (a run's turns may come from several
 * connections: a retry, a restart or a rotation resumes with the turns that have no result; the pipeline fences
 * stale connections, so a turn is written once; should one be seen twice, the later record is kept).
 *
 * <p>Threading: not thread-safe; fed and read by one thread.
 */
public final class ResultCollector {
    private final Map<String, SessionResult> results = new LinkedHashMap<>();
    private final Map<String, Map<Integer, TranscriptionEvent>> turns = new HashMap<>();
    private final Map<String, Map<Integer, ResponseEvent>> responses = new HashMap<>();

    private static String runKey(CharSequence sessionId, CharSequence runToken) {
        return sessionId + "\u0000" + runToken;
    }

    public void result(SessionResult result) {
        results.put(result.getSessionId(), result);
    }

    public void transcription(TranscriptionEvent event) {
        turns.computeIfAbsent(runKey(event.getSessionId(), event.getRunToken()), k -> new HashMap<>())
                .put(event.getTurnIndex(), event);
    }

    public void response(ResponseEvent event) {
        responses.computeIfAbsent(runKey(event.getSessionId(), event.getRunToken()), k -> new HashMap<>())
                .put(event.getTurnIndex(), event);
    }

    /** Sessions with a result, in the order their latest results were first seen. */
    public List<SessionResult> results() {
        return List.copyOf(results.values());
    }

    public Optional<SessionResult> result(String sessionId) {
        return Optional.ofNullable(results.get(sessionId));
    }

    /** The session's latest result with the turns and responses of the run it names. */
    public Optional<SessionTranscript> transcript(String sessionId) {
        return result(sessionId).map(result -> {
            String key = runKey(result.getSessionId(), result.getRunToken());
            return new SessionTranscript(result, List.copyOf(turns.getOrDefault(key, Map.of()).values()),
                    List.copyOf(responses.getOrDefault(key, Map.of()).values()));
        });
    }
}
