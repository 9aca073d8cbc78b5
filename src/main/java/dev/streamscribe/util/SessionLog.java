package dev.streamscribe.util;

import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * Log lines about one session carry its id and run token as MDC entries ({@value #SESSION_ID}, {@value #RUN_TOKEN}):
 * the JSON log format (log.format=json) prints them as fields of every such line, so a log pipeline can select a
 * session's lines without parsing messages. The text format keeps them in the message, as before.
 *
 * <p>Threading: MDC is per thread; each call sets the entries, logs and removes them on the calling thread, so a
 * pooled thread never carries one session's id into another's line.
 */
public final class SessionLog {
    public static final String SESSION_ID = "session_id";
    public static final String RUN_TOKEN = "run_token";

    private SessionLog() {
    }

    public static void info(Logger log, String sessionId, String runToken, String format, Object... arguments) {
        if (log.isInfoEnabled()) {
            try (var ignored = scope(sessionId, runToken)) {
                log.info(format, arguments);
            }
        }
    }

    public static void warn(Logger log, String sessionId, String runToken, String format, Object... arguments) {
        if (log.isWarnEnabled()) {
            try (var ignored = scope(sessionId, runToken)) {
                log.warn(format, arguments);
            }
        }
    }

    public static void debug(Logger log, String sessionId, String runToken, String format, Object... arguments) {
        if (log.isDebugEnabled()) {
            try (var ignored = scope(sessionId, runToken)) {
                log.debug(format, arguments);
            }
        }
    }

    /** The two MDC entries until closed; a null id or run token (not known at the call site) is left out. */
    private static AutoCloseable0 scope(String sessionId, String runToken) {
        if (sessionId != null) {
            MDC.put(SESSION_ID, sessionId);
        }
        if (runToken != null) {
            MDC.put(RUN_TOKEN, runToken);
        }
        return () -> {
            MDC.remove(SESSION_ID);
            MDC.remove(RUN_TOKEN);
        };
    }

    /** AutoCloseable without a checked exception. */
    private interface AutoCloseable0 extends AutoCloseable {
        @Override
        void close();
    }
}
