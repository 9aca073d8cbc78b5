package dev.streamscribe.ingest;

import java.time.Duration;

/**
 * How a recording is cut into turns (each turn is committed and transcribed on its own).
 *
 * @param maxTurn            hard upper bound of a turn; zero means unbounded (the providers accepted ~305 s per commit,
 *                           docs/protocol.md section 7)
 * @param minSilence         a pause at least this long, followed by speech, starts a new turn; zero turns silence
 *                           splitting off
 * @param silenceThresholdDb 20 ms frames quieter than this (dBFS, RMS) count as silence
 * @param minTurn            silence never ends a turn shorter than this, so a stammer does not make tiny turns
 */
public record TurnPolicy(Duration maxTurn, Duration minSilence, double silenceThresholdDb, Duration minTurn) {
    public TurnPolicy {
        if (maxTurn.isNegative() || minSilence.isNegative() || minTurn.isNegative()) {
            throw new IllegalArgumentException("turn lengths cannot be negative");
        }
        if (!maxTurn.isZero() && maxTurn.toMillis() < 1_000) {
            throw new IllegalArgumentException("--max-turn-seconds must be at least 1 (or 0 for no limit), not "
                    + maxTurn.toMillis() / 1000.0);
        }
        if (silenceThresholdDb >= 0 || silenceThresholdDb < -120) {
            throw new IllegalArgumentException("--silence-threshold-db must be between -120 and 0 dBFS, not "
                    + silenceThresholdDb);
        }
    }

    /** Defaults: cut at pauses of 800 ms below -40 dBFS, turns of at least 2 s and at most 120 s. */
    public static TurnPolicy defaults() {
        return new TurnPolicy(Duration.ofSeconds(120), Duration.ofMillis(800), -40, Duration.ofSeconds(2));
    }

    /** The whole recording as one turn. */
    public static TurnPolicy wholeFile() {
        return new TurnPolicy(Duration.ZERO, Duration.ZERO, -40, Duration.ZERO);
    }

    /** A stable text form; part of the session id, since the turns decide the chunks. */
    public String describe() {
        return "max=" + maxTurn.toMillis() + ",silence=" + minSilence.toMillis() + ",db=" + silenceThresholdDb
                + ",min=" + minTurn.toMillis();
    }
}
