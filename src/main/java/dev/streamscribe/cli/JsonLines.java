package dev.streamscribe.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The {@code --json} output of the commands that have one: one JSON object per line (JSON Lines), keys in
 * snake_case, in the order given, so {@code jq} and scripts read it line by line while the command still runs.
 */
final class JsonLines {
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private JsonLines() {
    }

    /** One object as one line; {@code fields} keeps its iteration order (pass a LinkedHashMap or Map.of for one key). */
    static String line(Map<String, ?> fields) {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the line and flushes, so a reader of a pipe sees it at once. */
    static void print(PrintWriter out, Map<String, ?> fields) {
        synchronized (out) {
            out.println(line(fields));
            out.flush();
        }
    }
}
