package dev.streamscribe.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Looks at another JVM from outside: heap in use (the JDK's {@code jcmd GC.heap_info}, optionally after a full GC,
 * which gives the live heap), live threads and open sockets (from /proc). Samples in the background and keeps the
 * peaks.
 *
 * <p>Threading: {@link #start} runs one sampling thread; peaks are read from any thread.
 */
public final class JvmProbe implements AutoCloseable {
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    /** One look. */
    public record Sample(long heapUsedBytes, int threads, int sockets) {
    }

    private final long pid;
    private final boolean liveHeap;
    private final long intervalMs;
    private volatile boolean running = true;
    private volatile long peakHeap;
    private volatile int peakThreads;
    private volatile int peakSockets;
    private volatile int samples;
    private Thread sampler;

    private JvmProbe(long pid, boolean liveHeap, long intervalMs) {
        this.pid = pid;
        this.liveHeap = liveHeap;
        this.intervalMs = intervalMs;
    }

    /**
     * Samples {@code pid} every {@code intervalMs} until closed.
     *
     * @param liveHeap run a full GC before each heap reading (live heap; perturbs the measured process)
     */
    public static JvmProbe start(long pid, boolean liveHeap, long intervalMs) {
        JvmProbe probe = new JvmProbe(pid, liveHeap, intervalMs);
        probe.sampler = Thread.ofPlatform().daemon().name("probe-" + pid).start(probe::loop);
        return probe;
    }

    private void loop() {
        while (running) {
            try {
                Sample sample = sample(pid, liveHeap);
                peakHeap = Math.max(peakHeap, sample.heapUsedBytes());
                peakThreads = Math.max(peakThreads, sample.threads());
                peakSockets = Math.max(peakSockets, sample.sockets());
                samples++;
                Thread.sleep(intervalMs);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    public static Sample sample(long pid, boolean liveHeap) throws IOException, InterruptedException {
        if (liveHeap) {
            jcmd(pid, "GC.run");
        }
        Matcher used = USED.matcher(jcmd(pid, "GC.heap_info"));
        long heap = used.find() ? Long.parseLong(used.group(1)) * 1024 : -1;
        int threads = -1;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Threads:")) {
                threads = Integer.parseInt(line.substring(8).trim());
            }
        }
        int sockets = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        sockets++;
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor closed between listing and reading
                }
            }
        }
        return new Sample(heap, threads, sockets);
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        process.waitFor(30, TimeUnit.SECONDS);
        return new String(out, StandardCharsets.UTF_8);
    }

    /** CPU seconds (user + system) a process has used so far, from /proc/PID/stat; -1 when it cannot be read. */
    public static double cpuSeconds(long pid) {
        try {
            return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * A process's CPU so far split by what its threads do, from /proc/PID/task: the JIT compilers' threads (named
     * {@code C1 CompilerThread}, {@code C2 CompilerThread} by HotSpot), the garbage collector's ({@code GC Thread},
     * {@code G1 ...}) and the rest (the application's own work). Threads that ended before the reading are missing
     * from every kind but the total; read it twice and subtract for an interval. HotSpot may stop a compiler thread
     * it no longer needs, so an interval's JIT figure can only come out low, never high: what is left out of the
     * JIT's is counted as work.
     *
     * @param total     the process's total (as {@link #cpuSeconds}, ended threads included)
     * @param jit       the JIT compiler threads alive now
     * @param gc        the garbage collector threads alive now
     */
    public record ThreadCpu(double total, double jit, double gc) {
        /** {@code this} minus an earlier reading. */
        public ThreadCpu since(ThreadCpu earlier) {
            return new ThreadCpu(total - earlier.total, jit - earlier.jit, gc - earlier.gc);
        }
    }

    /** {@code pid}'s CPU so far by kind of thread; zeros for the kinds when /proc cannot be read. */
    public static ThreadCpu threadCpu(long pid) {
        double jit = 0;
        double gc = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException endedMeanwhile) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                double seconds = ticks(stat);
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    jit += seconds;
                } else if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
                    gc += seconds;
                }
            }
        } catch (IOException | RuntimeException e) {
            return new ThreadCpu(cpuSeconds(pid), 0, 0);
        }
        return new ThreadCpu(cpuSeconds(pid), jit, gc);
    }

    /** utime + stime of a /proc stat line, in seconds (clock ticks of 1/100 s). */
    private static double ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after the command: state is field 3, utime 14 and stime 15 (1-based)
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    public long peakHeapBytes() {
        return peakHeap;
    }

    public int peakThreads() {
        return peakThreads;
    }

    public int peakSockets() {
        return peakSockets;
    }

    public int samples() {
        return samples;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
        try {
            sampler.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
