package dev.streamscribe.bench;

import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.results.TopicWatcher;
import org.apache.kafka.clients.producer.Producer;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static dev.streamscribe.bench.BenchWorkload.BYTES_PER_SECOND;
import static dev.streamscribe.bench.BenchWorkload.WARM_UP;

/**
 * Phase 3: sessions per second at each level in flight against a provider that takes the configured delay per
 * transcription, against the ideal (level / delay), with the pipeline's peak heap, threads and sockets.
 *
 * <p>Threading: the bench's thread, plus the probe's sampler.
 */
final class ConcurrencyPhase {
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
        try (BenchPipeline pipeline = context.stack().pipeline("concurrency-" + level, server, level);
             TopicWatcher<SessionResult> results = pipeline.results();
             Producer<byte[], byte[]> producer = context.stack().producer();
             JvmProbe probe = JvmProbe.start(pipeline.jvm().pid(), false, 500)) {
            int sessions = level * context.settings().waves();
            double idlePerSecond = idleCpuPerSecond(pipeline);
            Map<String, Double> cpuBefore = context.stack().cpu(pipeline.jvm(), server);
            long start = System.nanoTime();
            for (int i = 0; i < sessions; i++) {
                BenchWorkload.publishSession(producer, pipeline.topics(), "c" + level + "-" + i, second);
            }
            producer.flush();
            Map<String, SessionResult> done = BenchWorkload.awaitResults(results, id -> !WARM_UP.equals(id), sessions,
                    context.settings().serverDelay().multipliedBy(context.settings().waves() * 4L).plusMinutes(2));
            double seconds = (System.nanoTime() - start) / 1e9;
            BenchWorkload.requireCompleted(done, "concurrency " + level);
            Map<String, Double> cpuAfter = context.stack().cpu(pipeline.jvm(), server);
            String cpuUse = BenchWorkload.cpuUse(cpuBefore, cpuAfter);
            context.progress().accept("CPU seconds at " + level + ": " + cpuUse);
            cpuPerSession(level, sessions, cpuAfter.get("pipeline") - cpuBefore.get("pipeline"), idlePerSecond, seconds);
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
     * The baseline of the fixed cost: what the pipeline burns doing nothing (punctuators, commits, the consumers'
     * polls), measured over a few idle seconds before the sessions of this level are published.
     */
    private static double idleCpuPerSecond(BenchPipeline pipeline) throws InterruptedException {
        double before = JvmProbe.cpuSeconds(pipeline.jvm().pid());
        long start = System.nanoTime();
        Thread.sleep(IDLE_SAMPLE.toMillis());
        return (JvmProbe.cpuSeconds(pipeline.jvm().pid()) - before) / ((System.nanoTime() - start) / 1e9);
    }

    /** The fixed cost: the pipeline's CPU per session at this level, its idle burn over the phase subtracted. */
    private void cpuPerSession(int level, int sessions, double pipelineCpu, double idlePerSecond, double seconds) {
        double perSessionMs = Math.max(0, pipelineCpu - idlePerSecond * seconds) * 1000 / sessions;
        boolean target = level >= 1_000;
        context.report().row(new BenchReport.Row("3 concurrency", "pipeline CPU per session at " + level + " in flight "
                + "(fixed cost)", String.format(Locale.ROOT, "%.1f ms per session", perSessionMs),
                String.format(Locale.ROOT, "idle %.0f ms/s x %.1f s subtracted", idlePerSecond * 1000, seconds), null,
                target ? "<= 5 ms" : null, target ? perSessionMs <= 5 : null));
        context.report().headline("concurrency" + level + "CpuMsPerSession", BenchWorkload.round(perSessionMs));
        context.progress().accept(String.format(Locale.ROOT, "pipeline CPU per session at %d: %.1f ms (idle %.0f ms/s)",
                level, perSessionMs, idlePerSecond * 1000));
    }
}
