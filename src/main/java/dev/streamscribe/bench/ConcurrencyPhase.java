package dev.streamscribe.bench;

import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.results.TopicWatcher;
import org.apache.kafka.clients.producer.Producer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static dev.streamscribe.bench.BenchWorkload.BYTES_PER_SECOND;

/**
 * Phase 3: sessions per second at each level in flight against a provider that takes the configured delay per
 * transcription, against the ideal (level / delay), with the pipeline's peak heap, threads and sockets.
 *
 * <p>Threading: the bench's thread, plus the probe's sampler.
 */
final class ConcurrencyPhase {
    /** Kafka Streams' commits, per stream thread, as the pipeline's /metrics names them. */
    static final String COMMITS = "kafka_stream_thread_commit_total";
    /** How long the idle pipeline is watched for the CPU-per-session baseline. */
    private static final Duration IDLE_SAMPLE = Duration.ofSeconds(3);

    private final PhaseContext context;

    ConcurrencyPhase(PhaseContext context) {
        this.context = context;
    }

    void run() throws Exception {
        ChildJvm server = context.stack().server("server-delayed", context.settings().serverDelay());
        try {
            byte[] second = new byte[BYTES_PER_SECOND];
            new Random(3).nextBytes(second);
            for (int level : context.settings().concurrencyLevels()) {
                level(server, level, second);
            }
        } finally {
            server.close();
        }
    }

    private void level(ChildJvm server, int level, byte[] second) throws Exception {
        try (BenchPipeline pipeline = context.stack().pipeline("concurrency-" + level, server, level,
                new BenchWorkload.WarmUp(level, BYTES_PER_SECOND));
             TopicWatcher<SessionResult> results = pipeline.results();
             Producer<byte[], byte[]> producer = context.stack().producer();
             JvmProbe probe = JvmProbe.start(pipeline.jvm().pid(), false, 500)) {
            int sessions = level * context.settings().waves();
            double idleCommits = pipeline.metricSum(COMMITS);
            long idleStart = System.nanoTime();
            double idlePerSecond = idleWorkPerSecond(pipeline);
            idleCommits = (pipeline.metricSum(COMMITS) - idleCommits) / ((System.nanoTime() - idleStart) / 1e9);
            Map<String, Double> cpuBefore = context.stack().cpu(pipeline.jvm(), server);
            JvmProbe.ThreadCpu threadsBefore = JvmProbe.threadCpu(pipeline.jvm().pid());
            WrittenRecords written = WrittenRecords.from(pipeline);
            double commitsBefore = pipeline.metricSum(COMMITS);
            long start = System.nanoTime();
            long startMs = System.currentTimeMillis();
            for (int i = 0; i < sessions; i++) {
                BenchWorkload.publishSession(producer, pipeline.topics(), "c" + level + "-" + i, second);
            }
            producer.flush();
            Map<String, SessionResult> done = BenchWorkload.awaitResults(results, id -> !BenchWorkload.isWarmUp(id), sessions,
                    context.settings().serverDelay().multipliedBy(context.settings().waves() * 4L).plusMinutes(2));
            double seconds = (System.nanoTime() - start) / 1e9;
            BenchWorkload.requireCompleted(done, "concurrency " + level);
            Map<String, Double> cpuAfter = context.stack().cpu(pipeline.jvm(), server);
            JvmProbe.ThreadCpu threads = JvmProbe.threadCpu(pipeline.jvm().pid()).since(threadsBefore);
            String cpuUse = BenchWorkload.cpuUse(cpuBefore, cpuAfter);
            context.progress().accept("CPU seconds at " + level + ": " + cpuUse);
            cpuPerSession(level, sessions, threads, idlePerSecond, seconds);
            recordsPerSession(level, sessions, written.since(pipeline.id()));
            commits(level, sessions, pipeline.metricSum(COMMITS) - commitsBefore, seconds, idleCommits);
            timeline(level, startMs, done.values());
            double achieved = sessions / seconds;
            double ideal = level / (double) context.settings().serverDelay().toSeconds();
            double ratio = achieved / ideal;
            long heapMb = probe.peakHeapBytes() / (1024 * 1024);
            boolean heapMet = heapMb <= 512;
            context.report().row(new BenchReport.Row("3 concurrency", sessions + " sessions at max " + level + " in flight, "
                    + "server delay " + context.settings().serverDelay().toSeconds() + " s",
                    String.format(Locale.ROOT, "%.2f sessions/s; peak heap in use %d MiB (sampled), %d threads, "
                            + "%d sockets; CPU s: %s", achieved, heapMb, probe.peakThreads(), probe.peakSockets(), cpuUse),
                    String.format(Locale.ROOT, "ideal %.2f sessions/s", ideal), ratio,
                    level >= 1_000 ? ">= 0.90, heap <= 512 MiB" : ">= 0.90", ratio >= 0.9 && (level < 1_000 || heapMet)));
            context.report().headline("concurrency" + level + "RatioToIdeal", BenchWorkload.round(ratio));
            context.report().headline("concurrency" + level + "PeakHeapMiB", heapMb);
            context.progress().accept(String.format(Locale.ROOT, "concurrency %d: %.2f of ideal, peak heap %d MiB, %d threads, %d sockets",
                    level, ratio, heapMb, probe.peakThreads(), probe.peakSockets()));
        }
    }

    /**
     * The pipeline's commits during the phase: under exactly-once each is a transaction, and the broker's share of
     * the CPU at 1,000 in flight was mostly transaction work in its profile (adding partitions, ending transactions,
     * writing their markers).
     */
    private void commits(int level, int sessions, double commits, double seconds, double idlePerSecond) {
        context.report().row(new BenchReport.Row("3 concurrency", "commits (transactions) at " + level + " in flight",
                String.format(Locale.ROOT, "%.0f in %.1f s: %.1f per second, %.2f per session", commits, seconds,
                        commits / seconds, commits / sessions),
                String.format(Locale.ROOT, "%.1f per second idle just before; commit interval %d ms", idlePerSecond,
                        context.settings().commitInterval().toMillis()), null, null, null));
        context.report().headline("concurrency" + level + "CommitsPerSecond", BenchWorkload.round(commits / seconds));
        context.progress().accept(String.format(Locale.ROOT, "commits at %d: %.0f in %.1f s (%.1f/s; idle %.1f/s)", level,
                commits, seconds, commits / seconds, idlePerSecond));
    }

    /**
     * Where the time beyond the ideal goes: the ideal phase is the server's delay once per wave, so anything else is
     * the pipeline's (or the machine's) overhead. Read from the results' own timestamps (the attempt's launch, the
     * result's writing, both on the pipeline's clock, which is this machine's): how long the first wave took to
     * connect after the sessions were published, how long a session's run took beyond the server's delay, and how
     * long a freed slot stayed empty (the k-th result of the phase frees the slot the k-th session of the next wave
     * takes).
     */
    private void timeline(int level, long startMs, Collection<SessionResult> results) {
        List<Long> started = results.stream().map(SessionResult::getStartedAtMs).sorted().toList();
        List<Long> finished = results.stream().map(SessionResult::getFinishedAtMs).sorted().toList();
        List<Double> firstWave = started.subList(0, Math.min(level, started.size())).stream()
                .map(at -> (double) (at - startMs)).toList();
        long delayMs = context.settings().serverDelay().toMillis();
        List<Double> beyondDelay = results.stream()
                .map(r -> (double) (r.getFinishedAtMs() - r.getStartedAtMs() - delayMs)).sorted().toList();
        List<Double> slotEmpty = new ArrayList<>();
        for (int k = 0; k + level < started.size(); k++) {
            slotEmpty.add((double) (started.get(k + level) - finished.get(k)));
        }
        slotEmpty.sort(null);
        String value = String.format(Locale.ROOT, "first wave connected after p50 %.0f ms, last %.0f ms; run beyond the "
                        + "server's delay p50 %.0f ms, p99 %.0f ms; slot empty between a result and the next launch p50 "
                        + "%.0f ms, p99 %.0f ms", BenchWorkload.percentile(firstWave, 50), firstWave.getLast(),
                BenchWorkload.percentile(beyondDelay, 50), BenchWorkload.percentile(beyondDelay, 99),
                BenchWorkload.percentile(slotEmpty, 50),
                BenchWorkload.percentile(slotEmpty, 99));
        context.report().row(new BenchReport.Row("3 concurrency", "where the time goes at " + level + " in flight",
                value, "the server's delay " + delayMs + " ms per wave (ideal)", null, null, null));
        context.progress().accept("timeline at " + level + ": " + value);
    }

    /**
     * What each session cost in records the pipeline wrote (changelogs and outputs, committed only): unlike CPU, this
     * does not move with the machine's noise. Counted up to the moment the last result is readable, so expiry entries
     * the schedule drops later (one idle timeout on) are not in it.
     */
    private void recordsPerSession(int level, int sessions, Map<String, Long> byTopic) {
        long total = byTopic.values().stream().mapToLong(Long::longValue).sum();
        String detail = byTopic.entrySet().stream().map(entry -> String.format(Locale.ROOT, "%s %.2f",
                entry.getKey(), entry.getValue() / (double) sessions)).collect(java.util.stream.Collectors.joining(", "));
        context.report().row(new BenchReport.Row("3 concurrency", "records written per session at " + level
                + " in flight (changelogs and outputs)", String.format(Locale.ROOT, "%.2f", total / (double) sessions),
                detail, null, null, null));
        context.report().headline("concurrency" + level + "RecordsPerSession", BenchWorkload.round(total / (double) sessions));
        context.progress().accept(String.format(Locale.ROOT, "records per session at %d: %.2f (%s)", level,
                total / (double) sessions, detail));
    }

    /**
     * The baseline of the fixed cost: what the pipeline burns doing nothing (punctuators, commits, the consumers'
     * polls), measured over a few idle seconds before the sessions of this level are published; the JIT compilers'
     * threads left out, as in the phase (they are still compiling what the warm-up ran).
     */
    private static double idleWorkPerSecond(BenchPipeline pipeline) throws InterruptedException {
        JvmProbe.ThreadCpu before = JvmProbe.threadCpu(pipeline.jvm().pid());
        long start = System.nanoTime();
        Thread.sleep(IDLE_SAMPLE.toMillis());
        JvmProbe.ThreadCpu idle = JvmProbe.threadCpu(pipeline.jvm().pid()).since(before);
        return (idle.total() - idle.jit()) / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * The fixed cost: the pipeline's CPU per session at this level, its idle burn over the phase subtracted, and the
     * JIT compilers' CPU too: a fresh JVM compiles its hot code over its first minutes (still 11 of 22 CPU-s during
     * the phase at 1,000 in flight after a warm-up wave of 1,000 sessions), once per start, not per session. It is
     * shown beside the figure.
     */
    private void cpuPerSession(int level, int sessions, JvmProbe.ThreadCpu cpu, double idlePerSecond, double seconds) {
        double work = cpu.total() - cpu.jit();
        double perSessionMs = Math.max(0, work - idlePerSecond * seconds) * 1000 / sessions;
        double withJitMs = Math.max(0, cpu.total() - idlePerSecond * seconds) * 1000 / sessions;
        boolean target = level >= 1_000;
        // with few sessions over a long phase the idle burn (sampled over 3 s) can exceed what the sessions added:
        // then the figure is below what this measurement resolves, and says so rather than printing 0
        boolean resolved = work > idlePerSecond * seconds;
        String value = resolved
                ? String.format(Locale.ROOT, "%.1f ms per session (%.1f ms with the JIT's)", perSessionMs, withJitMs)
                : String.format(Locale.ROOT, "not resolved: the phase's CPU without the JIT's (%.1f s) is within its idle "
                        + "burn (%.1f s); %.1f ms per session with the JIT's", work, idlePerSecond * seconds, withJitMs);
        context.report().row(new BenchReport.Row("3 concurrency", "pipeline CPU per session at " + level + " in flight "
                + "(fixed cost)", value,
                String.format(Locale.ROOT, "idle %.0f ms/s x %.1f s and JIT compilation %.1f CPU-s subtracted (of %.1f; GC "
                        + "%.1f kept)", idlePerSecond * 1000, seconds, cpu.jit(), cpu.total(), cpu.gc()), null,
                target ? "<= 5 ms" : null, target ? resolved && perSessionMs <= 5 : null));
        context.report().headline("concurrency" + level + "CpuMsPerSession", BenchWorkload.round(perSessionMs));
        context.report().headline("concurrency" + level + "CpuMsPerSessionWithJit", BenchWorkload.round(withJitMs));
        context.progress().accept(String.format(Locale.ROOT, "pipeline CPU per session at %d: %.1f ms (%.1f with JIT; "
                        + "phase %.1f s, JIT %.1f s, GC %.1f s; idle %.0f ms/s)", level, perSessionMs, withJitMs,
                cpu.total(), cpu.jit(), cpu.gc(), idlePerSecond * 1000));
    }
}
