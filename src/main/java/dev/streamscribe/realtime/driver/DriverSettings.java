package dev.streamscribe.realtime.driver;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of the driver.
 *
 * @param itemTimeout    bound on each wait for the provider: session.updated, a commit's answer, a turn's
 *                       transcription, a response's response.done
 * @param sessionTimeout bound on one connection of an attempt (a session rotated to a new connection before the
 *                       providers' 60 minutes runs as long as it needs)
 * @param rotateAfter    move to a new WebSocket between turns once a connection is this old (providers end
 *                       sessions at 60 minutes)
 * @param transcriptionWait         how long a turn's transcription may take at least: past it (plus the share of the
 *                                  turn's length below) the turn fails TRANSCRIPTION_TIMEOUT and the session goes on
 * @param transcriptionWaitPerAudio the extra wait per second of the turn's audio (0.5: half its length)
 */
public record DriverSettings(Duration itemTimeout, Duration sessionTimeout, Duration rotateAfter,
                             Duration transcriptionWait, double transcriptionWaitPerAudio, Duration liveIdleClose) {
    /** How long a live session's connection waits for its next turn before it closes (realtime.live-idle-close-ms). */
    public static final Duration DEFAULT_LIVE_IDLE_CLOSE = Duration.ofSeconds(30);

    public static final Duration DEFAULT_ROTATE_AFTER = Duration.ofMinutes(55);
    public static final Duration DEFAULT_TRANSCRIPTION_WAIT = Duration.ofSeconds(30);
    public static final double DEFAULT_TRANSCRIPTION_WAIT_PER_AUDIO = 0.5;

    public DriverSettings {
        Objects.requireNonNull(itemTimeout, "itemTimeout");
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        Objects.requireNonNull(rotateAfter, "rotateAfter");
        Objects.requireNonNull(transcriptionWait, "transcriptionWait");
        Objects.requireNonNull(liveIdleClose, "liveIdleClose");
        if (transcriptionWaitPerAudio < 0) {
            throw new IllegalArgumentException("transcriptionWaitPerAudio must be >= 0, got " + transcriptionWaitPerAudio);
        }
    }

    /** With the default live idle close. */
    public DriverSettings(Duration itemTimeout, Duration sessionTimeout, Duration rotateAfter,
                          Duration transcriptionWait, double transcriptionWaitPerAudio) {
        this(itemTimeout, sessionTimeout, rotateAfter, transcriptionWait, transcriptionWaitPerAudio,
                DEFAULT_LIVE_IDLE_CLOSE);
    }

    public DriverSettings withLiveIdleClose(Duration value) {
        return new DriverSettings(itemTimeout, sessionTimeout, rotateAfter, transcriptionWait, transcriptionWaitPerAudio,
                value);
    }

    /** With the default transcription wait (30 s + half the turn's length). */
    public DriverSettings(Duration itemTimeout, Duration sessionTimeout, Duration rotateAfter) {
        this(itemTimeout, sessionTimeout, rotateAfter, DEFAULT_TRANSCRIPTION_WAIT, DEFAULT_TRANSCRIPTION_WAIT_PER_AUDIO);
    }

    /** How long the transcription of a turn of {@code turnMillis} may take before that turn fails. */
    public Duration transcriptionWaitFor(long turnMillis) {
        return transcriptionWait.plusMillis((long) (turnMillis * transcriptionWaitPerAudio));
    }

    public static DriverSettings defaults() {
        return new DriverSettings(Duration.ofSeconds(60), Duration.ofHours(2), DEFAULT_ROTATE_AFTER);
    }
}
