package dev.streamscribe.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a bench run measured: one row per figure, each with the baseline it is compared against and the target,
 * plus the machine facts. Rendered as a markdown table and as JSON.
 *
 * <p>Threading: filled by the bench's thread only.
 */
public final class BenchReport {
    /**
     * One figure. {@code ratio} is value / baseline when there is a baseline; {@code met} is empty without a target.
     */
    public record Row(String phase, String measure, String value, String baseline, Double ratio, String target,
                      Boolean met) {
    }

    private final Map<String, Object> machine = new LinkedHashMap<>();
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Object> headlines = new LinkedHashMap<>();

    public void machine(String key, Object value) {
        machine.put(key, value);
    }

    public void row(Row row) {
        rows.add(row);
    }

    public void headline(String key, Object value) {
        headlines.put(key, value);
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    public Map<String, Object> headlines() {
        return Map.copyOf(headlines);
    }

    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| phase | measure | value | baseline (same run) | ratio | target | met |\n");
        out.append("|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            out.append("| ").append(row.phase()).append(" | ").append(row.measure()).append(" | ").append(row.value())
                    .append(" | ").append(row.baseline() == null ? "" : row.baseline())
                    .append(" | ").append(row.ratio() == null ? "" : String.format(Locale.ROOT, "%.2f", row.ratio()))
                    .append(" | ").append(row.target() == null ? "" : row.target())
                    .append(" | ").append(row.met() == null ? "" : row.met() ? "yes" : "**no**").append(" |\n");
        }
        out.append("\nMachine: ");
        machine.forEach((key, value) -> out.append(key).append(' ').append(value).append("; "));
        out.setLength(out.length() - 2);
        out.append(".\n");
        return out.toString();
    }

    public String json() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("machine", machine);
        document.put("headlines", headlines);
        document.put("rows", rows);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the bench report", e);
        }
    }
}
