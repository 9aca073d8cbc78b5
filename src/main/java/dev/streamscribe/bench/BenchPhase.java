package dev.streamscribe.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The bench's phases, in the order they run; {@code --phases} names them by {@link #id()}. */
public enum BenchPhase {
    /** Raw Kafka baseline (1), pipeline throughput against it (2), and the latency the pipeline adds (4). */
    THROUGHPUT,
    /** Sessions per second at several levels in flight with a slow provider, against the ideal (3). */
    CONCURRENCY,
    /** Live heap of a long session against a short one (5). */
    MEMORY,
    /** Idle CPU and restart time with many sessions known against few (6). */
    SOAK,
    /** Live sessions at real time: from a turn's last chunk acknowledged to its transcript readable (7). */
    LIVE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<BenchPhase> fromId(String id) {
        return Arrays.stream(values()).filter(p -> p.id().equals(id)).findFirst();
    }

    /** The ids, for help and error messages. */
    public static String ids() {
        return Arrays.stream(values()).map(BenchPhase::id).collect(Collectors.joining(", "));
    }
}
