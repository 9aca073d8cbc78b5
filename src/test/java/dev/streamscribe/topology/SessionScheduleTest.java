package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.testing.TestConfigs;
import dev.streamscribe.topology.SessionSchedule.Kind;
import dev.streamscribe.topology.SessionState.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Work that follows what is due: the schedule holds only sessions that need attention, expiry reads only due
 * entries, and finished sessions are forgotten once their audio has left the audio topic (TopologyTestDriver).
 */
class SessionScheduleTest {
    private static final Duration IDLE = Duration.ofMinutes(10);
    private static final Duration AUDIO_RETENTION = Duration.ofHours(1);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path stateDir;
    private PipelineMetrics metrics;
    private TopologyHarness harness;

    @BeforeEach
    void start() {
        metrics = new PipelineMetrics(new SimpleMeterRegistry());
        // no dispatch slots: sessions stay READY, so these tests see the assembler and the schedule alone
        DispatchServices noSlots = DispatchServices.create(0, (request, refs) -> CompletableFuture.failedFuture(
                new IllegalStateException("no session may start in these tests")), new RetryPolicy(1, Duration.ZERO), metrics);
        harness = new TopologyHarness(stateDir, new AssemblerSettings(IDLE, Duration.ofSeconds(5),
                Duration.ofSeconds(1), Dialect.OPENAI_GA, SessionAssembler.Limits.DEFAULTS, Optional.of(AUDIO_RETENTION)),
                noSlots, T0);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private static SessionConfig config(String session, String runToken) {
        SessionConfig config = TestConfigs.transcription(Dialect.OPENAI_GA, session);
        config.setRunToken(runToken);
        return config;
    }

    private static AudioChunk lastChunk(String session) {
        return AudioChunk.newBuilder().setSessionId(session).setSeq(0).setTurnIndex(0)
                .setAudio(ByteBuffer.wrap(new byte[9_600])).setEndOfTurn(true).setEndOfSession(true).build();
    }

    /** A session whose run already has its result: config and chunk arrive, and it goes straight to FINISHED. */
    private void finishedSession(String session) {
        harness.resultsIn.pipeInput(session, SessionResult.newBuilder().setSessionId(session).setRunToken("run-1")
                .setAttempt(1).setStatus(SessionStatus.COMPLETED).build(), T0);
        harness.configs.pipeInput(session, config(session, "run-1"), T0);
        harness.chunks.pipeInput(session, lastChunk(session), T0);
    }

    private List<String> scheduled(Kind kind) {
        return harness.schedule.due(kind, Long.MAX_VALUE, Integer.MAX_VALUE).stream()
                .map(SessionSchedule.Entry::sessionId).toList();
    }

    @Test
    void aSessionIsScheduledForExpiryWhileAssemblingAndForDispatchWhileReady() {
        harness.configs.pipeInput("s1", config("s1", "run-1"), T0);
        assertEquals(List.of("s1"), scheduled(Kind.STREAM_EXPIRY));
        assertEquals(List.of("s1"), scheduled(Kind.WALL_EXPIRY));
        assertEquals(List.of(), scheduled(Kind.DISPATCH));
        harness.chunks.pipeInput("s1", lastChunk("s1"), T0);
        assertEquals(Status.READY, harness.state.get("s1").status());
        assertEquals(List.of("s1"), scheduled(Kind.DISPATCH));
    }

    @Test
    void expiryChecksDropTheEntriesOfSessionsThatMovedOn() {
        finishedSession("s1");
        assertEquals(Status.FINISHED, harness.state.get("s1").status());
        harness.driver.advanceWallClockTime(IDLE.plusMinutes(1));
        assertEquals(List.of(), scheduled(Kind.WALL_EXPIRY), "visited once when due, then gone");
        assertEquals(List.of("s1"), scheduled(Kind.PURGE), "what a finished session still needs: its purge");
        assertTrue(harness.results.isEmpty(), "a finished session never expires");
    }

    @Test
    void aSessionWithInputSinceItsFirstDeadlineMovesToItsRealDeadline() {
        harness.configs.pipeInput("s1", config("s1", "run-1"), T0);
        harness.driver.advanceWallClockTime(Duration.ofMinutes(9));
        harness.chunks.pipeInput("s1", AudioChunk.newBuilder(lastChunk("s1")).setEndOfSession(false).build(),
                T0.plus(Duration.ofMinutes(9)));
        harness.driver.advanceWallClockTime(Duration.ofMinutes(2)); // 11 min after the config, 2 after the chunk
        assertEquals(Status.ASSEMBLING, harness.state.get("s1").status());
        long deadline = harness.schedule.due(Kind.WALL_EXPIRY, Long.MAX_VALUE, 10).getFirst().dueMs();
        assertEquals(T0.plus(Duration.ofMinutes(19)).toEpochMilli(), deadline, 1_000, "the chunk's wall time + idle");
        harness.driver.advanceWallClockTime(Duration.ofMinutes(9));
        assertEquals(Status.EXPIRED, harness.state.get("s1").status());
        assertEquals("NO_END", harness.results.readValue().getReason());
    }

    @Test
    void aFinishedSessionIsForgottenOnceItsAudioHasLeftTheTopic() {
        finishedSession("s1");
        harness.driver.advanceWallClockTime(AUDIO_RETENTION.minusMinutes(1));
        assertEquals(Status.FINISHED, harness.state.get("s1").status(), "its audio may still be read");
        harness.driver.advanceWallClockTime(Duration.ofMinutes(2));
        assertNull(harness.state.get("s1"));
        assertEquals(List.of(), harness.chunkIndex.snapshot("s1"));
        assertEquals(List.of(), scheduled(Kind.PURGE));
        assertEquals(1.0, metrics.registry().get(PipelineMetrics.SESSIONS_PURGED).counter().count());
    }

    @Test
    void aFinishedRunKeepsItsTokenButNotItsConfig() {
        finishedSession("s1");
        SessionState finished = harness.state.get("s1");
        assertEquals("run-1", finished.runToken());
        assertTrue(finished.sessionConfig().isEmpty());
        harness.configs.pipeInput("s1", config("s1", "run-1"), T0.plusSeconds(1));
        assertEquals(Status.FINISHED, harness.state.get("s1").status(), "the same run again changes nothing");
        assertTrue(harness.results.isEmpty() && harness.deadLetters.isEmpty());
    }

    @Test
    void aNewRunOfAPurgedSessionWithoutItsAudioExpiresAsAudioExpired() {
        finishedSession("s1");
        harness.driver.advanceWallClockTime(AUDIO_RETENTION.plusMinutes(1));
        assertNull(harness.state.get("s1"));
        harness.configs.pipeInput("s1", config("s1", "run-2"), T0.plus(AUDIO_RETENTION).plusSeconds(60));
        harness.driver.advanceWallClockTime(IDLE.plusMinutes(1));
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.EXPIRED, result.getStatus());
        assertEquals("AUDIO_EXPIRED", result.getReason());
        assertEquals("run-2", result.getRunToken());
    }

    @Test
    void chunksOfAPurgedSessionWithNoNewRunAreDroppedWithoutHidingItsResult() {
        finishedSession("s1");
        harness.driver.advanceWallClockTime(AUDIO_RETENTION.plusMinutes(1));
        harness.chunks.pipeInput("s1", lastChunk("s1"), T0.plus(AUDIO_RETENTION).plusSeconds(60));
        harness.driver.advanceWallClockTime(IDLE.plusMinutes(1));
        assertTrue(harness.results.isEmpty(), "no EXPIRED result over the session's COMPLETED one");
        DeadLetter letter = harness.deadLetters.readValue();
        assertEquals("NO_CONFIG", letter.getReasonCode());
        assertTrue(letter.getMessage().contains("earlier result stands"), letter.getMessage());
        assertNull(harness.state.get("s1"));
    }

    @Test
    void aReingestOfAPurgedSessionUnderItsFinishedTokenIsNotRunAgain() {
        finishedSession("s1");
        harness.driver.advanceWallClockTime(AUDIO_RETENTION.plusMinutes(1));
        harness.configs.pipeInput("s1", config("s1", "run-1"), T0.plus(AUDIO_RETENTION).plusSeconds(60));
        harness.chunks.pipeInput("s1", lastChunk("s1"), T0.plus(AUDIO_RETENTION).plusSeconds(60));
        assertEquals(Status.FINISHED, harness.state.get("s1").status());
        assertEquals(List.of(), scheduled(Kind.DISPATCH));
        assertTrue(harness.results.isEmpty());
    }

    @Test
    void aDuplicateChunkMovesTheClaimCheckToTheNewerCopyOfTheSameBytes() {
        harness.chunks.pipeInput("s1", lastChunk("s1"), T0);
        long first = harness.chunkIndex.get("s1", 0).orElseThrow().offset();
        harness.chunks.pipeInput("other", lastChunk("other"), T0);
        harness.chunks.pipeInput("s1", lastChunk("s1"), T0);
        long second = harness.chunkIndex.get("s1", 0).orElseThrow().offset();
        assertEquals(first + 2, second, "the re-ingested copy, which the topic keeps longer");
        assertEquals(1, harness.state.get("s1").duplicates());
    }
}
