package dev.streamscribe.realtime.driver;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of the driver.
 *
 * @param itemTimeout    bound on each wait for the provider: session.updated, a commit's answer, a turn's
 *                       transcription, a response's response.done
 * @param sessionTimeout bound on a whole attempt
 * @param rotateAfter    move to a new WebSocket between turns once a connection is this old (providers end
 *                       sessions at 60 minutes)
 */
public record DriverSettings(Duration itemTimeout, Duration sessionTimeout, Duration rotateAfter) {
    public static final Duration DEFAULT_ROTATE_AFTER = Duration.ofMinutes(55);

    public DriverSettings {
        Objects.requireNonNull(itemTimeout, "itemTimeout");
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        Objects.requireNonNull(rotateAfter, "rotateAfter");
    }

    public static DriverSettings defaults() {
        return new DriverSettings(Duration.ofSeconds(60), Duration.ofHours(2), DEFAULT_ROTATE_AFTER);
    }
}
