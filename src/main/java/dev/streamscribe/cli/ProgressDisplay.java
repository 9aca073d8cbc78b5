package dev.streamscribe.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * One line of progress on the operator's terminal. On a terminal the line is redrawn in place; when output goes to
 * a file or a CI log, a line is written at most every {@code quietPeriod} (and when asked to), so logs stay short.
 *
 * <p>Threading: {@link #update} may be called from any thread (Kafka producer callbacks among them); calls are
 * serialised.
 */
final class ProgressDisplay {
    private final PrintWriter out;
    private final boolean interactive;
    private final long quietNanos;
    private long lastPrinted;
    private int lastWidth;

    ProgressDisplay(PrintWriter out, boolean interactive, Duration quietPeriod) {
        this.out = out;
        this.interactive = interactive;
        this.quietNanos = quietPeriod.toNanos();
        this.lastPrinted = System.nanoTime() - quietNanos;
    }

    /** For the process's own stderr: interactive when a console is attached. */
    static ProgressDisplay forStderr(PrintWriter err) {
        return new ProgressDisplay(err, System.console() != null, Duration.ofSeconds(5));
    }

    /** Shows {@code line}; {@code force} writes it even inside the quiet period (non-interactive output). */
    synchronized void update(String line, boolean force) {
        long now = System.nanoTime();
        if (interactive) {
            String padded = line.length() < lastWidth ? line + " ".repeat(lastWidth - line.length()) : line;
            out.print("\r" + padded);
            lastWidth = line.length();
            out.flush();
        } else if (force || now - lastPrinted >= quietNanos) {
            out.println(line);
            out.flush();
            lastPrinted = now;
        }
    }

    /** Prints a line of its own (a result, a failure) without breaking the progress line. */
    synchronized void println(String line) {
        if (interactive && lastWidth > 0) {
            out.print("\r" + " ".repeat(lastWidth) + "\r");
            lastWidth = 0;
        }
        out.println(line);
        out.flush();
    }

    /** Ends the progress line (interactive) so what follows starts on a fresh line. */
    synchronized void done() {
        if (interactive && lastWidth > 0) {
            out.println();
            lastWidth = 0;
        }
        out.flush();
    }

    static String bar(double fraction, int width) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
    }

    static String bytes(long bytes) {
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }

    static String duration(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", seconds / 3600, seconds % 3600 / 60);
    }
}
