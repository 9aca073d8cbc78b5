package dev.streamscribe.bench;

import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.results.TopicWatcher;
import org.apache.kafka.clients.producer.Producer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


/**
 * Phase 5: the pipeline's peak live heap while it runs one long session, against one short session, each in a fresh
 * pipeline JVM. A full GC every second (jcmd GC.run) and the heap left after each, read from the JVM's own GC log,
 * so the figure is exact and not blurred by what is allocated between a GC and a reading. The log's heap summary
 * ({@code gc+heap=debug}) gives it in KiB: the one-line summary's whole MiB were a 4 % step on a 23-25 MiB heap,
 * against a goal that leaves 10 %.
 *
 * <p>Threading: the bench's thread, plus the probe's sampler.
 */
final class MemoryPhase {
    private static final Pattern FULL_GC = Pattern.compile(
            "GC\\((\\d+)\\) Pause Full \\((?:Diagnostic Command|System\\.gc\\(\\))\\)");
    private static final Pattern HEAP_AFTER = Pattern.compile("GC\\((\\d+)\\) Heap After GC");
    private static final Pattern HEAP_USED = Pattern.compile("GC\\((\\d+)\\) +garbage-first heap .* used (\\d+)K");
    /** The GC log the phase reads: each collection's line, and the heap summary after it (used, in KiB). */
    static final String GC_LOG = "-Xlog:gc,gc+heap=debug:file=";

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
                List.of(GC_LOG + gcLog), Map.of())) {
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

    /**
     * The largest heap left after a requested full collection (jcmd GC.run), from a {@link #GC_LOG} log: the used
     * figure of the heap summary printed after each such collection, in bytes (the log gives KiB).
     */
    static long peakAfterFullGc(List<String> lines, Path gcLog) {
        Map<Long, Long> usedAfterKib = new HashMap<>();
        Set<Long> full = new HashSet<>();
        long awaitingAfter = -1; // the collection whose "Heap After GC" header was the last seen
        for (String line : lines) {
            Matcher header = HEAP_AFTER.matcher(line);
            Matcher used = HEAP_USED.matcher(line);
            Matcher fullGc = FULL_GC.matcher(line);
            if (header.find()) {
                awaitingAfter = Long.parseLong(header.group(1));
            } else if (used.find() && Long.parseLong(used.group(1)) == awaitingAfter) {
                usedAfterKib.put(awaitingAfter, Long.parseLong(used.group(2)));
                awaitingAfter = -1;
            } else if (fullGc.find()) {
                full.add(Long.parseLong(fullGc.group(1)));
            }
        }
        long peakKib = full.stream().filter(usedAfterKib::containsKey).mapToLong(usedAfterKib::get).max().orElse(0);
        if (peakKib == 0) {
            throw new IllegalStateException("no full GC with a heap summary in " + gcLog + ": the live heap was not measured");
        }
        return peakKib * 1024;
    }
}
