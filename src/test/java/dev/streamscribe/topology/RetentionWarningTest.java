package dev.streamscribe.topology;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pause of admission long enough for waiting sessions' audio to leave the topic is a /health condition. */
class RetentionWarningTest {
    private static final Optional<Duration> DAY = Optional.of(Duration.ofHours(24));

    @Test
    void saysNothingBeforeHalfTheRetention() {
        assertEquals(Optional.empty(), StreamscribePipeline.retentionWarning(Duration.ofHours(11), DAY));
    }

    @Test
    void warnsOnceThePauseReachesHalfTheRetentionAndSaysWhatToDo() {
        String warning = StreamscribePipeline.retentionWarning(Duration.ofHours(12), DAY).orElseThrow();
        assertTrue(warning.contains("AUDIO_EXPIRED") && warning.contains("retention.ms")
                && warning.contains("720 min") && warning.contains("1440 min"), warning);
    }

    @Test
    void saysNothingWhenTheAudioIsKeptForever() {
        assertEquals(Optional.empty(), StreamscribePipeline.retentionWarning(Duration.ofDays(30), Optional.empty()));
    }
}
