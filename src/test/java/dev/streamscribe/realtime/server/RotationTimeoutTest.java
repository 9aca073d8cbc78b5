package dev.streamscribe.realtime.server;

import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.driver.DriverSettings;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.testing.TestConfigs;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session timeout bounds one connection, not the whole attempt: a session that rotates to new connections
 * (as every recording longer than 55 minutes does) runs longer than one timeout. Scaled down: responses take 600 ms,
 * connections rotate after 300 ms (so each carries about one turn), the timeout is 2 s, and the five turns take over 3 s.
 */
class RotationTimeoutTest {
    @Test
    void aSessionThatRotatesRunsLongerThanOneConnectionsTimeout() {
        try (ServerFixture fixture = new ServerFixture(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine())
                .withResponseDuration(Duration.ofMillis(600)))) {
            fixture.settings = new DriverSettings(Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofMillis(300));
            long started = System.nanoTime();
            SessionOutcome outcome = fixture.run(Dialect.OPENAI_GA, TestConfigs.withResponses(Dialect.OPENAI_GA, "long"),
                    500, 500, 500, 500, 500);
            long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
            SessionOutcome.Completed completed = assertInstanceOf(SessionOutcome.Completed.class, outcome,
                    () -> "the session failed: " + outcome);
            assertTrue(completed.rotations() >= 2, "the session moved to new connections: " + completed.rotations());
            assertTrue(tookMs > 2_000, "the session ran longer than one connection's timeout (" + tookMs + " ms)");
            assertEquals(5, completed.responses().size());
        }
    }
}
