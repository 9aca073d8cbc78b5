package dev.streamscribe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamscribe.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code streamscribe bench --quick} runs the whole harness (every phase, every child process) to completion and
 * writes sane output. Timings are the harness's to report, not this test's to assert.
 */
class BenchCommandIT {
    @TempDir
    Path out;

    @Test
    void shouldRunEveryPhaseAndWriteTheTableAndTheJson() throws Exception {
        Cli.Result bench = assertTimeoutPreemptively(Duration.ofMinutes(6),
                () -> Cli.run("bench", "--quick", "--out", out.toString()));
        assertEquals(0, bench.exitCode(), bench.toString());
        String table = Files.readString(out.resolve("latest-quick.md"));
        for (String phase : List.of("| 1 raw Kafka |", "| 2 pipeline throughput |", "| 3 concurrency |",
                "| 4 added latency |", "| 5 memory |", "| 6 soak |", "| 7 live latency |")) {
            assertTrue(table.contains(phase), phase + " in\n" + table);
        }
        assertTrue(table.contains("Machine: cores " + Runtime.getRuntime().availableProcessors()), table);
        JsonNode json = new ObjectMapper().readTree(out.resolve("latest-quick.json").toFile());
        JsonNode headlines = json.get("headlines");
        for (String ratio : List.of("throughputRatioToRawKafka", "concurrency10RatioToIdeal", "longSessionHeapRatio",
                "soakIdleCpuRatio", "soakRestartToResultSecondsLarge")) {
            double value = headlines.get(ratio).asDouble();
            assertTrue(value > 0 && Double.isFinite(value), ratio + " = " + value);
        }
        assertTrue(headlines.get("addedLatencyP99Ms").asDouble() >= headlines.get("addedLatencyP50Ms").asDouble());
        assertTrue(headlines.get("liveAddedLatencyP99Ms").asDouble() >= headlines.get("liveAddedLatencyP50Ms").asDouble());
        assertTrue(headlines.get("concurrency10PeakHeapMiB").asLong() > 0, "the pipeline JVM's heap was sampled");
        assertEquals(json.get("rows").size(), table.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| phase")).count());
    }
}
