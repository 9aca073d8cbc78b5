package dev.streamscribe.realtime.server;

import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.TestConfigs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 200 sessions at once on one server, all dialects mixed, each getting the transcripts of its own audio. */
class LocalRealtimeServerConcurrencyTest {
    @Test
    void shouldCompleteTwoHundredSimultaneousSessionsCorrectly() throws Exception {
        try (ServerFixture fixture = new ServerFixture()) {
            List<CompletableFuture<SessionOutcome>> sessions = new ArrayList<>();
            List<long[]> plans = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Dialect dialect = Dialect.values()[i % 3];
                long[] turns = {300 + (i % 7) * 100L, 200 + (i % 5) * 100L};
                plans.add(turns);
                var config = i % 4 == 0 ? TestConfigs.withResponses(dialect, "c-" + i) : TestConfigs.transcription(dialect, "c-" + i);
                sessions.add(fixture.start(dialect, config, turns));
            }
            AtomicInteger peak = new AtomicInteger();
            // each check also samples how many connections are open at once
            Await.until(() -> {
                peak.accumulateAndGet(fixture.server.openSessions(), Math::max);
                return sessions.stream().allMatch(CompletableFuture::isDone);
            }, Duration.ofSeconds(120), "all 200 sessions to finish");
            for (int i = 0; i < sessions.size(); i++) {
                SessionOutcome outcome = sessions.get(i).get(1, TimeUnit.SECONDS);
                int index = i;
                SessionOutcome.Completed completed = assertInstanceOf(SessionOutcome.Completed.class, outcome,
                        () -> "session " + index + ": " + outcome);
                for (int turn = 0; turn < 2; turn++) {
                    assertEquals(TurnStatus.COMPLETED, completed.turns().get(turn).status());
                    assertEquals(ServerFixture.expectedTranscript(turn, plans.get(i)[turn]),
                            completed.turns().get(turn).transcript(), "session " + i + " turn " + turn);
                }
                assertEquals(i % 4 == 0 ? 2 : 0, completed.responses().size());
            }
            assertTrue(peak.get() > 20, "sessions overlapped (peak " + peak.get() + " open at once)");
        }
    }
}
