package dev.streamscribe.bench;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One bench run: the broker, the registry, the local realtime server and the pipeline each in a process of their
 * own ({@link BenchStack}); this JVM only publishes, reads results and measures. Each phase is measured against a
 * baseline taken in the same run, because these machines are too noisy for absolute figures.
 *
 * <p>Threading: runs on the caller's thread.
 */
public final class BenchRun implements AutoCloseable {
    private final BenchSettings settings;
    private final Path work;
    private final Consumer<String> progress;
    private final BenchReport report = new BenchReport();
    private Set<BenchPhase> phases = EnumSet.allOf(BenchPhase.class);
    private BenchStack stack;

    public BenchRun(BenchSettings settings, Path work, Consumer<String> progress) {
        this.settings = settings;
        this.work = work;
        this.progress = progress;
    }

    /** Runs only these phases (for profiling one of them). */
    public BenchRun onlyPhases(Set<BenchPhase> chosen) {
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("choose at least one phase of " + BenchPhase.ids());
        }
        phases = EnumSet.copyOf(chosen);
        return this;
    }

    /** Runs the chosen phases and returns the report. */
    public BenchReport run() throws Exception {
        long started = System.nanoTime();
        machineFacts();
        stack = BenchStack.start(settings, work, progress);
        progress.accept("broker at " + stack.bootstrap() + ", registry at " + stack.registryUrl());
        PhaseContext context = new PhaseContext(settings, stack, report, work, progress);
        for (BenchPhase phase : phases) {
            switch (phase) {
                case THROUGHPUT -> new ThroughputPhase(context).run();
                case CONCURRENCY -> new ConcurrencyPhase(context).run();
                case MEMORY -> new MemoryPhase(context).run();
                case SOAK -> new SoakPhase(context).run();
                case LIVE -> new LivePhase(context).run();
            }
        }
        report.machine("bench", settings.name());
        report.machine("wall time", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - started) / 1e9));
        return report;
    }

    private void machineFacts() {
        report.machine("cores", Runtime.getRuntime().availableProcessors());
        report.machine("JDK", Runtime.version().toString());
        report.machine("OS", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        report.machine("pipeline heap", "-Xmx" + settings.pipelineHeap());
        report.machine("commit interval", settings.commitInterval().toMillis() + " ms");
        report.machine("chunk size", BenchWorkload.CHUNK_BYTES / 1024 + " KiB");
    }

    @Override
    public void close() {
        if (stack != null) {
            stack.close();
        }
    }
}
