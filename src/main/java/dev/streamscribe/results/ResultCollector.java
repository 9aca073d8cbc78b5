package dev.streamscribe.results;

import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.TranscriptionEvent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gathers what the pipeline wrote: the latest SessionResult per session, and the turns and responses of every
 * (session, run, attempt), so that a session's transcript is exactly the attempt its result names (an attempt
 * that was cut short by a crash never has records in a committed transaction, but a stale retry could).
 *
 * <p>Threading: not thread-safe; fed and read by one thread.
 */
public final class ResultCollector {
    private final Map<String, SessionResult> results = new LinkedHashMap<>();
    private final Map<String, Map<Integer, TranscriptionEvent>> turns = new HashMap<>();
    private final Map<String, List<ResponseEvent>> responses = new HashMap<>();

    private static String attemptKey(CharSequence sessionId, CharSequence runToken, int attempt) {
        return sessionId + "\u0000" + runToken + "\u0000" + attempt;
    }

    public void result(SessionResult result) {
        results.put(result.getSessionId(), result);
    }

    public void transcription(TranscriptionEvent event) {
        turns.computeIfAbsent(attemptKey(event.getSessionId(), event.getRunToken(), event.getAttempt()),
                k -> new HashMap<>()).put(event.getTurnIndex(), event);
    }

    public void response(ResponseEvent event) {
        responses.computeIfAbsent(attemptKey(event.getSessionId(), event.getRunToken(), event.getAttempt()),
                k -> new ArrayList<>()).add(event);
    }

    /** Sessions with a result, in the order their latest results were first seen. */
    public List<SessionResult> results() {
        return List.copyOf(results.values());
    }

    public Optional<SessionResult> result(String sessionId) {
        return Optional.ofNullable(results.get(sessionId));
    }

    /** The session's latest result with the turns and responses of the attempt it names. */
    public Optional<SessionTranscript> transcript(String sessionId) {
        return result(sessionId).map(result -> {
            String key = attemptKey(result.getSessionId(), result.getRunToken(), result.getAttempt());
            return new SessionTranscript(result, List.copyOf(turns.getOrDefault(key, Map.of()).values()),
                    List.copyOf(responses.getOrDefault(key, List.of())));
        });
    }
}
