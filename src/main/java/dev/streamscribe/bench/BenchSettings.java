package dev.streamscribe.bench;

import java.time.Duration;
import java.util.List;

/**
 * Sizes of one bench run.
 *
 * @param throughputSessions sessions of the throughput phase (and the bytes of the raw baseline)
 * @param throughputSeconds  audio seconds per throughput session
 * @param concurrencyLevels  max-concurrent-sessions values of the concurrency phase
 * @param serverDelay        how long the server holds each transcript in the concurrency phase
 * @param waves              sessions per concurrency level = waves x level
 * @param latencySessions    sessions published one after another in the latency phase
 * @param shortSessionMinutes, longSessionMinutes audio lengths compared in the memory phase
 * @param pipelineHeap       -Xmx of the pipeline's JVM
 * @param commitInterval     Kafka Streams commit interval of the pipeline
 * @param pipelineJvmOptions extra options of the pipeline's JVM (e.g. a JFR recording)
 * @param soakSmall, soakLarge sessions known to the two pipelines of the soak phase
 * @param soakSettle         wait after the last known session is consumed, before the CPU is measured
 * @param soakWindow         how long the idle CPU is measured
 * @param liveSessions, liveTurns, liveTurnMs live sessions of the live phase, their turns and turn length
 */
public record BenchSettings(String name, int throughputSessions, int throughputSeconds, List<Integer> concurrencyLevels,
                            Duration serverDelay, int waves, int latencySessions, int shortSessionMinutes,
                            int longSessionMinutes, String pipelineHeap, Duration commitInterval,
                            List<String> pipelineJvmOptions, int soakSmall, int soakLarge, Duration soakSettle,
                            Duration soakWindow, int liveSessions, int liveTurns, int liveTurnMs) {
    public BenchSettings {
        concurrencyLevels = List.copyOf(concurrencyLevels);
        pipelineJvmOptions = List.copyOf(pipelineJvmOptions);
    }

    public BenchSettings withConcurrencyLevels(List<Integer> levels) {
        return new BenchSettings(name, throughputSessions, throughputSeconds, levels, serverDelay, waves,
                latencySessions, shortSessionMinutes, longSessionMinutes, pipelineHeap, commitInterval, pipelineJvmOptions,
                soakSmall, soakLarge, soakSettle, soakWindow, liveSessions, liveTurns, liveTurnMs);
    }

    public BenchSettings withPipelineJvmOptions(List<String> options) {
        return new BenchSettings(name, throughputSessions, throughputSeconds, concurrencyLevels, serverDelay, waves,
                latencySessions, shortSessionMinutes, longSessionMinutes, pipelineHeap, commitInterval, options, soakSmall,
                soakLarge, soakSettle, soakWindow, liveSessions, liveTurns, liveTurnMs);
    }

    public BenchSettings withCommitInterval(Duration interval) {
        return new BenchSettings(name, throughputSessions, throughputSeconds, concurrencyLevels, serverDelay, waves,
                latencySessions, shortSessionMinutes, longSessionMinutes, pipelineHeap, interval, pipelineJvmOptions,
                soakSmall, soakLarge, soakSettle, soakWindow, liveSessions, liveTurns, liveTurnMs);
    }

    /** The sizes: about five minutes here. */
    public static BenchSettings full() {
        return new BenchSettings("full", 40, 60, List.of(10, 100, 1_000), Duration.ofSeconds(20), 2, 40, 1, 60,
                "512m", Duration.ofMillis(100), List.of(), 10_000, 500_000, Duration.ofSeconds(30), Duration.ofSeconds(30),
                100, 5, 2_000);
    }

    /** Small sizes, one concurrency level, a short delay: about a minute; checks the harness, not the machine. */
    public static BenchSettings quick() {
        return new BenchSettings("quick", 4, 20, List.of(10), Duration.ofSeconds(2), 2, 5, 1, 3, "512m",
                Duration.ofMillis(100), List.of(), 200, 2_000, Duration.ofSeconds(2), Duration.ofSeconds(5), 4, 2, 1_000);
    }
}
