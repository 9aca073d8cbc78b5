package dev.streamscribe.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamscribe.util.SessionLog;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class LogFormatTest {
    @Test
    void readsTheFormatFromTheEnvironmentVariableOfLogFormat() {
        assertEquals(Optional.of(LogFormat.JSON), LogFormat.fromEnvironment(Map.of("STREAMSCRIBE_LOG_FORMAT", "json")));
        assertEquals(Optional.empty(), LogFormat.fromEnvironment(Map.of("STREAMSCRIBE_LOG_FORMAT", "xml")));
        assertEquals(Optional.empty(), LogFormat.fromEnvironment(Map.of()));
    }

    @Test
    void jsonWritesOneObjectPerLineWithTheSessionIdAndRunTokenAsFields() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            LogFormat.JSON.apply(); // the new appender writes to the System.err of its start
            SessionLog.info(LoggerFactory.getLogger(LogFormatTest.class), "s-42", "r2-abc", "session {} done", "s-42");
            LoggerFactory.getLogger(LogFormatTest.class).info("a line about no session");
        } finally {
            System.setErr(original);
            LogFormat.TEXT.apply();
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(2, lines.length, captured.toString(StandardCharsets.UTF_8));
        JsonNode about = new ObjectMapper().readTree(lines[0]);
        assertEquals("session s-42 done", about.path("formattedMessage").asText());
        assertEquals("s-42", about.path("mdc").path("session_id").asText());
        assertEquals("r2-abc", about.path("mdc").path("run_token").asText());
        JsonNode other = new ObjectMapper().readTree(lines[1]);
        assertFalse(other.path("mdc").has("session_id"), "the entries are removed after the line: " + lines[1]);
    }
}
