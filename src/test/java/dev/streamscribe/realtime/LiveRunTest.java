package dev.streamscribe.realtime;

import dev.streamscribe.realtime.driver.AudioPiece;
import dev.streamscribe.realtime.driver.LiveRun;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.driver.TurnCheckpoint;
import dev.streamscribe.realtime.driver.TurnListener;
import dev.streamscribe.realtime.driver.TurnResult;
import dev.streamscribe.realtime.driver.TurnSpec;
import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.ListAudioPublisher;
import dev.streamscribe.testing.TestAudio;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A live run (start AT_FIRST_TURN) against the scripted peer: later turns on the same connection, and the idle close. */
class LiveRunTest {
    private static ListAudioPublisher audioOf(int turn, long millis) {
        byte[] audio = TestAudio.turnAudio(turn, millis);
        return new ListAudioPublisher(List.of(new AudioPiece(turn, ByteBuffer.wrap(audio), true)));
    }

    /** Records the turns the run reports finished. */
    private static final class Finished implements TurnListener {
        final List<Integer> turns = new CopyOnWriteArrayList<>();

        @Override
        public void finished(TurnCheckpoint checkpoint) {
            turns.add(checkpoint.turn().turnIndex());
        }
    }

    @Test
    void turnsOfferedWhileTheConnectionWaitsGoOnTheSameConnection() throws Exception {
        try (DriverHarness h = new DriverHarness(Dialect.OPENAI_GA, script -> { })) {
            SessionRequest first = DriverHarness.request(h.transcriptionConfig(), 500);
            Finished finished = new Finished();
            LiveRun run = h.driver().runLive(first, audioOf(0, 500), finished);
            Await.until(() -> finished.turns.contains(0), Duration.ofSeconds(30), "turn 0 transcribed");
            assertFalse(run.outcome().isDone(), "the connection waits for the next turn");

            assertTrue(run.more().offer(List.of(new TurnSpec(1, 500, 1_100, false)), audioOf(1, 600), false));
            Await.until(() -> finished.turns.contains(1), Duration.ofSeconds(30), "turn 1 transcribed");
            assertTrue(run.more().offer(List.of(), new ListAudioPublisher(List.of()), true), "only the end is news");

            SessionOutcome.Completed outcome = assertInstanceOf(SessionOutcome.Completed.class,
                    run.outcome().get(30, TimeUnit.SECONDS));
            assertEquals(List.of(0, 1), outcome.turns().stream().map(TurnResult::turnIndex).toList());
            assertEquals(1, h.peer.connections().size(), "every turn on one connection");
        }
    }

    @Test
    void anIdleLiveConnectionClosesWithTheTurnsItHasAndTakesNoMore() throws Exception {
        try (DriverHarness h = new DriverHarness(Dialect.OPENAI_GA, script -> { })) {
            h.settings = h.settings.withLiveIdleClose(Duration.ofMillis(200));
            LiveRun run = h.driver().runLive(DriverHarness.request(h.transcriptionConfig(), 500), audioOf(0, 500),
                    TurnListener.NONE);
            SessionOutcome.Completed outcome = assertInstanceOf(SessionOutcome.Completed.class,
                    run.outcome().get(30, TimeUnit.SECONDS));
            assertEquals(List.of(0), outcome.turns().stream().map(TurnResult::turnIndex).toList());
            assertFalse(run.more().offer(List.of(new TurnSpec(1, 500, 1_100, false)), audioOf(1, 600), false),
                    "a closed run refuses turns: they go to the next connection");
        }
    }
}
