package dev.streamscribe.topology;

import dev.streamscribe.config.ProviderDefinition;
import dev.streamscribe.realtime.Dialect;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How the {@link SessionAssembler} of every task judges sessions. Immutable.
 *
 * @param idleTimeout   a session with no new input for this long expires
 * @param caughtUpAfter the task counts as caught up (wall-clock expiry applies) once it has processed no record
 *                      for this long
 * @param checkEvery    how often expiry is checked, in stream time and in wall-clock time
 * @param dialect       the pipeline's dialect, against which configs are validated when {@code providers} is empty
 * @param providers     the provider pool: a config is valid when one of them can serve it ({@link ProviderChoice})
 * @param finishedRetention how long a session with its result keeps its state and chunk index after its last
 *                      input: the audio topic's retention, after which the index would point at nothing; empty =
 *                      for good (the audio topic keeps its records for good)
 */
public record AssemblerSettings(Duration idleTimeout, Duration caughtUpAfter, Duration checkEvery, Dialect dialect,
                                SessionAssembler.Limits limits, Optional<Duration> finishedRetention,
                                OptionalInt inputPartitions, List<ProviderDefinition> providers) {
    public AssemblerSettings {
        providers = List.copyOf(providers);
    }

    /** With the default per-session limits, finished sessions kept for good. */
    public AssemblerSettings(Duration idleTimeout, Duration caughtUpAfter, Duration checkEvery, Dialect dialect) {
        this(idleTimeout, caughtUpAfter, checkEvery, dialect, SessionAssembler.Limits.DEFAULTS, Optional.empty());
    }

    /** Without the input topics' partition count (expiry messages then name no partitions). */
    public AssemblerSettings(Duration idleTimeout, Duration caughtUpAfter, Duration checkEvery, Dialect dialect,
                             SessionAssembler.Limits limits, Optional<Duration> finishedRetention) {
        this(idleTimeout, caughtUpAfter, checkEvery, dialect, limits, finishedRetention, OptionalInt.empty(),
                List.of());
    }

    /** With the input topics' partition count, which a session's expiry names when one half never came. */
    public AssemblerSettings withInputPartitions(int value) {
        return new AssemblerSettings(idleTimeout, caughtUpAfter, checkEvery, dialect, limits, finishedRetention,
                OptionalInt.of(value), providers);
    }

    /** Validating configs against a pool of providers (one of them must be able to serve each). */
    public AssemblerSettings withProviders(List<ProviderDefinition> value) {
        return new AssemblerSettings(idleTimeout, caughtUpAfter, checkEvery, dialect, limits, finishedRetention,
                inputPartitions, value);
    }

    SessionStore.Timing timing() {
        return new SessionStore.Timing(idleTimeout, limits.maxAge(), limits.liveMaxAge(), finishedRetention);
    }
}
