package dev.streamscribe.bench;

import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.results.TopicWatcher;
import org.apache.kafka.clients.producer.Producer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


/**
 * Phase 5: the pipeline's peak live heap while it runs one long session, against one short session, each in a fresh
 * pipeline JVM. A full GC every second (jcmd GC.run) and the heap left after each, read from the JVM's own GC log,
 * so the figure is exact and not blurred by what is allocated between a GC and a reading.
 *
 * <p>Threading: the bench's thread, plus the probe's sampler.
 */
final class MemoryPhase {
    private static final Pattern FULL_GC = Pattern.compile(
            "Pause Full \\((?:Diagnostic Command|System\\.gc\\(\\))\\) \\d+M->(\\d+)M");

    private final PhaseContext context;

    MemoryPhase(PhaseContext context) {
        this.context = context;
    }

    void run() throws Exception {
        ChildJvm server = context.stack().server("server-memory", Duration.ZERO);
        try {
            long shortPeak = peakLiveHeap(server, context.settings().shortSessionMinutes());
            long longPeak = peakLiveHeap(server, context.settings().longSessionMinutes());
            double ratio = (double) longPeak / shortPeak;
            context.report().row(new BenchReport.Row("5 memory", "peak live heap (after a full GC each second) of the pipeline JVM, one "
                    + context.settings().longSessionMinutes() + "-minute session",
                    String.format(Locale.ROOT, "%.1f MiB", longPeak / 1048576.0),
                    String.format(Locale.ROOT, "%.1f MiB for one %d-minute session", shortPeak / 1048576.0,
                            context.settings().shortSessionMinutes()), ratio, "<= 1.10", ratio <= 1.10));
            context.report().headline("longSessionHeapRatio", BenchWorkload.round(ratio));
            context.progress().accept(String.format(Locale.ROOT, "memory: %d min %.1f MiB vs %d min %.1f MiB (%.2f)",
                    context.settings().longSessionMinutes(), longPeak / 1048576.0, context.settings().shortSessionMinutes(),
                    shortPeak / 1048576.0, ratio));
        } finally {
            server.close();
        }
    }

    private long peakLiveHeap(ChildJvm server, int minutes) throws Exception {
        Path gcLog = context.work().resolve("gc-memory-" + minutes + ".log");
        Path file = BenchWorkload.writePcm(Files.createDirectories(context.work().resolve("memory")).resolve(minutes + "min.pcm"),
                minutes * 60, minutes);
        int startUpLines;
        try (BenchPipeline pipeline = context.stack().pipeline("memory-" + minutes, server, 16,
                List.of("-Xlog:gc:file=" + gcLog), Map.of())) {
            startUpLines = Files.readAllLines(gcLog).size(); // start-up and warm-up are not this session's
            try (TopicWatcher<SessionResult> results = pipeline.results();
                 Producer<byte[], byte[]> producer = context.stack().producer();
                 JvmProbe probe = JvmProbe.start(pipeline.jvm().pid(), true, 1_000)) {
                BenchWorkload.ingestor(producer, pipeline.topics())
                        .ingest(file, (s, o) -> { });
                BenchWorkload.requireCompleted(BenchWorkload.awaitResults(results, id -> !BenchWorkload.isWarmUp(id), 1,
                        Duration.ofMinutes(10)), "memory " + minutes + " min");
                awaitOneMoreSample(probe); // a full GC after the result, so the session's whole life is covered
            }
        } finally {
            Files.deleteIfExists(file);
        }
        List<String> lines = Files.readAllLines(gcLog);
        return peakAfterFullGc(lines.subList(Math.min(startUpLines, lines.size()), lines.size()), gcLog);
    }

    private static void awaitOneMoreSample(JvmProbe probe) throws InterruptedException {
        int seen = probe.samples();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (probe.samples() <= seen && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** The largest heap left after a requested full collection (jcmd GC.run), from a -Xlog:gc log. */
    static long peakAfterFullGc(List<String> lines, Path gcLog) {
        long peak = 0;
        for (String line : lines) {
            Matcher m = FULL_GC.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Long.parseLong(m.group(1)));
            }
        }
        if (peak == 0) {
            throw new IllegalStateException("no full GC in " + gcLog + ": the live heap was not measured");
        }
        return peak * 1024 * 1024;
    }
}
