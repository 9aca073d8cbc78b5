package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.AudioFormat;
import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.records.RunTokens;
import dev.streamscribe.testing.TestConfigs;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every assembler rule and both expiry clocks, on TopologyTestDriver with an in-memory registry. */
class SessionAssemblerTest {
    private static final Duration IDLE = Duration.ofMinutes(10);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path stateDir;

    @BeforeEach
    void start() {
        var settings = new AssemblerSettings(IDLE, Duration.ofSeconds(5), Duration.ofSeconds(1), Dialect.OPENAI_GA);
        metrics = new PipelineMetrics(new SimpleMeterRegistry());
        // no dispatch slots: sessions stay READY, so these tests see the assembler alone
        DispatchServices noSlots = DispatchServices.create(0, (request, refs) -> CompletableFuture.failedFuture(
                new IllegalStateException("no session may start in these tests")), new RetryPolicy(1, Duration.ZERO), metrics);
        harness = new TopologyHarness(stateDir, settings, noSlots, T0);
    }

    private PipelineMetrics metrics;
    private TopologyHarness harness;

    @AfterEach
    void stop() {
        harness.close();
    }

    private static SessionConfig config(String session) {
        return TestConfigs.transcription(Dialect.OPENAI_GA, session);
    }

    private static AudioChunk chunk(String session, long seq, int turn, int bytes, boolean endOfTurn, boolean endOfSession) {
        byte[] audio = new byte[bytes];
        Arrays.fill(audio, (byte) (seq + 1));
        return AudioChunk.newBuilder().setSessionId(session).setSeq(seq).setTurnIndex(turn).setAudio(ByteBuffer.wrap(audio))
                .setEndOfTurn(endOfTurn).setEndOfSession(endOfSession).build();
    }

    /** Three chunks of 200 ms each: turn 0 = seq 0-1, turn 1 = seq 2 (end). */
    private void pipeSession(String session, long... order) {
        for (long seq : order) {
            harness.chunks.pipeInput(session, switch ((int) seq) {
                case 0 -> chunk(session, 0, 0, 9_600, false, false);
                case 1 -> chunk(session, 1, 0, 9_600, true, false);
                default -> chunk(session, 2, 1, 9_600, true, true);
            });
        }
    }

    private Status status(String session) {
        return harness.state.get(session).status();
    }

    private List<String> deadLetterReasons() {
        return harness.deadLetters.readValuesToList().stream().map(DeadLetter::getReasonCode).toList();
    }

    @Test
    void shouldMarkASessionReadyOnceConfigEndAndEverySeqArePresent() {
        harness.configs.pipeInput("s1", config("s1"));
        pipeSession("s1", 0, 1);
        assertEquals(Status.ASSEMBLING, status("s1"));
        pipeSession("s1", 2);
        assertEquals(Status.READY, status("s1"));
        assertTrue(harness.deadLetters.isEmpty() && harness.results.isEmpty());
    }

    @Test
    void shouldAssembleOutOfOrderChunksWithTheConfigArrivingLast() {
        pipeSession("s1", 2, 0, 1);
        assertEquals(Status.ASSEMBLING, status("s1"));
        harness.configs.pipeInput("s1", config("s1"));
        assertEquals(Status.READY, status("s1"));
        assertEquals(3, harness.state.get("s1").chunks());
    }

    @Test
    void shouldAbsorbExactDuplicatesAndCountThem() {
        harness.configs.pipeInput("s1", config("s1"));
        pipeSession("s1", 0, 0, 1, 1, 2, 2);
        assertEquals(Status.READY, status("s1"));
        assertEquals(3, harness.state.get("s1").duplicates());
        assertTrue(harness.deadLetters.isEmpty());
        assertEquals(3.0, metrics.registry().get(PipelineMetrics.DUPLICATES).counter().count());
    }

    @Test
    void shouldDeadLetterTheSameSeqWithDifferentBytes() {
        pipeSession("s1", 0);
        harness.chunks.pipeInput("s1", chunk("s1", 0, 0, 4_800, false, false));
        DeadLetter letter = harness.deadLetters.readValue();
        assertEquals("CONFLICTING_DUPLICATE", letter.getReasonCode());
        assertEquals(1L, letter.getSourceOffset(), "the rejected record's offset");
        assertEquals(1, harness.state.get("s1").chunks(), "the first one is kept");
    }

    @Test
    void shouldDeadLetterASecondEndOfSessionAtAnotherSeq() {
        pipeSession("s1", 2);
        harness.chunks.pipeInput("s1", chunk("s1", 1, 0, 9_600, true, true));
        assertEquals(List.of("SECOND_END_OF_SESSION"), deadLetterReasons());
    }

    @Test
    void shouldDeadLetterChunksBeyondTheEndWhicheverArrivesFirst() {
        pipeSession("s1", 2);
        harness.chunks.pipeInput("s1", chunk("s1", 5, 1, 4_800, false, false));
        assertEquals(List.of("CHUNK_AFTER_END"), deadLetterReasons());
        harness.chunks.pipeInput("s2", chunk("s2", 7, 0, 4_800, false, false));
        harness.chunks.pipeInput("s2", chunk("s2", 1, 0, 4_800, true, true));
        assertEquals(List.of("CHUNK_AFTER_END"), deadLetterReasons());
        assertEquals(1, harness.state.get("s2").chunks());
        assertEquals(1, harness.state.get("s2").maxSeq());
    }

    @Test
    void shouldDeadLetterMalformedChunks() {
        harness.chunks.pipeInput("s1", chunk("s1", -1, 0, 4_800, false, false));
        harness.chunks.pipeInput("s1", chunk("s1", 0, 0, 300 * 1024, false, false));
        harness.chunks.pipeInput("s1", chunk("other", 0, 0, 4_800, false, false));
        harness.chunks.pipeInput("s1", chunk("s1", 0, -2, 4_800, false, false));
        assertEquals(List.of("INVALID_SEQ", "CHUNK_TOO_LARGE", "KEY_MISMATCH", "INVALID_TURN_INDEX"), deadLetterReasons());
        assertEquals(1.0, metrics.registry().get(PipelineMetrics.DEAD_LETTERS)
                .tag("reason", "CHUNK_TOO_LARGE").counter().count());
    }

    @Test
    void shouldFailASessionWithOddLengthPcm16() {
        harness.configs.pipeInput("s1", config("s1"));
        harness.chunks.pipeInput("s1", chunk("s1", 0, 0, 9_601, true, true));
        assertEquals(List.of("AUDIO_NOT_SAMPLE_ALIGNED"), deadLetterReasons());
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.FAILED, result.getStatus());
        assertEquals("AUDIO_NOT_SAMPLE_ALIGNED", result.getReason());
        assertEquals(Status.FINISHED, status("s1"));
    }

    @Test
    void shouldFailASessionWithNoSendableAudio() {
        harness.configs.pipeInput("s1", config("s1"));
        harness.chunks.pipeInput("s1", chunk("s1", 0, 0, 2_400, true, false)); // 50 ms
        harness.chunks.pipeInput("s1", chunk("s1", 1, 1, 0, true, true));
        assertEquals(List.of("NO_AUDIO"), deadLetterReasons());
        assertEquals("NO_AUDIO", harness.results.readValue().getReason());
    }

    @Test
    void shouldAcceptG711ChunksOfAnyLength() {
        SessionConfig g711 = config("s1");
        g711.setAudioFormat(AudioFormat.G711_ULAW);
        harness.configs.pipeInput("s1", g711);
        harness.chunks.pipeInput("s1", chunk("s1", 0, 0, 1_601, true, true));
        assertEquals(Status.READY, status("s1"));
    }

    @Test
    void shouldFailARunWhoseAudioFormatThisBuildDoesNotKnow() {
        SessionConfig unknown = config("s1");
        unknown.setAudioFormat(AudioFormat.UNKNOWN);
        harness.configs.pipeInput("s1", unknown);
        DeadLetter letter = harness.deadLetters.readValue();
        assertEquals("CONFIG_INVALID", letter.getReasonCode());
        assertTrue(letter.getMessage().contains("audio format is UNKNOWN"), letter.getMessage());
        assertEquals(SessionStatus.FAILED, harness.results.readValue().getStatus());
    }

    @Test
    void shouldDeadLetterAnInvalidConfigAndFailTheRun() {
        SessionConfig invalid = TestConfigs.withResponses(Dialect.OPENAI_GA, "s1");
        invalid.setModel(null);
        harness.configs.pipeInput("s1", invalid);
        assertEquals(List.of("CONFIG_INVALID"), deadLetterReasons());
        assertEquals(SessionStatus.FAILED, harness.results.readValue().getStatus());
    }

    @Test
    void shouldDeadLetterAConfigWithoutRunTokenOrUnderAnotherKey() {
        SessionConfig noToken = config("s1");
        noToken.setRunToken(" ");
        harness.configs.pipeInput("s1", noToken);
        harness.configs.pipeInput("s2", config("s1"));
        assertEquals(List.of("CONFIG_INVALID", "KEY_MISMATCH"), deadLetterReasons());
        assertEquals(null, harness.state.get("s1"));
    }

    @Test
    void shouldRefuseAConfigChangeForARunInFlight() {
        harness.configs.pipeInput("s1", config("s1"));
        SessionConfig changed = config("s1");
        changed.getTranscription().setLanguage("de");
        harness.configs.pipeInput("s1", changed);
        SessionConfig newRun = config("s1");
        newRun.setRunToken("run-2");
        harness.configs.pipeInput("s1", newRun);
        assertEquals(List.of("CONFIG_CHANGED_IN_FLIGHT", "CONFIG_CHANGED_IN_FLIGHT"), deadLetterReasons());
        assertEquals("run-1", harness.state.get("s1").runToken());
    }

    @Test
    void shouldIgnoreTheSameConfigPublishedTwice() {
        harness.configs.pipeInput("s1", config("s1"));
        harness.configs.pipeInput("s1", config("s1"));
        assertTrue(harness.deadLetters.isEmpty());
    }

    @Test
    void shouldTreatTheSameRunRepublishedWithOtherMetadataAndCreationTimeAsTheSameConfig() {
        harness.configs.pipeInput("s1", config("s1"));
        SessionConfig republished = config("s1");
        republished.setCreatedAtMs(republished.getCreatedAtMs() + 60_000);
        republished.setMetadata(Map.of("source", "copy-of-meeting.wav"));
        harness.configs.pipeInput("s1", republished);
        assertTrue(harness.deadLetters.isEmpty());
    }

    @Test
    void shouldExpireAGapByStreamTimeAndNameTheMissingSeqs() {
        harness.configs.pipeInput("s1", config("s1"), T0);
        pipeSession("s1", 0, 2);
        harness.chunks.pipeInput("later", chunk("later", 0, 0, 4_800, false, false), T0.plus(IDLE).plusSeconds(2));
        DeadLetter letter = harness.deadLetters.readValue();
        assertEquals("GAP", letter.getReasonCode());
        assertTrue(letter.getMessage().contains("missing seqs: [1]"), letter.getMessage());
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.EXPIRED, result.getStatus());
        assertEquals("GAP", result.getReason());
        assertEquals("run-1", result.getRunToken());
        assertEquals(Status.EXPIRED, status("s1"));
    }

    @Test
    void shouldExpireSessionsWithoutConfigOrEndByWallClockOnceCaughtUp() {
        pipeSession("no-config", 0, 1, 2);
        harness.configs.pipeInput("no-end", config("no-end"));
        pipeSession("no-end", 0);
        harness.driver.advanceWallClockTime(IDLE.plusSeconds(10));
        List<SessionResult> expired = harness.results.readValuesToList();
        assertEquals(2, expired.size());
        assertEquals(Map.of("no-config", "NO_CONFIG", "no-end", "NO_END"), Map.of(
                expired.get(0).getSessionId(), expired.get(0).getReason(), expired.get(1).getSessionId(), expired.get(1).getReason()));
        assertEquals(2, harness.deadLetters.readValuesToList().size());
    }

    @Test
    void shouldNotExpireByWallClockWhileABacklogIsBeingProcessed() {
        harness.configs.pipeInput("s1", config("s1"), T0);
        pipeSession("s1", 0);
        // records keep arriving (a backlog), each a second of wall clock apart, with old timestamps
        for (int i = 0; i < 700; i++) {
            harness.driver.advanceWallClockTime(Duration.ofSeconds(1));
            harness.chunks.pipeInput("busy-" + i, chunk("busy-" + i, 0, 0, 4_800, false, false), T0.plusSeconds(i / 10));
        }
        assertEquals(Status.ASSEMBLING, status("s1"), "700 s of wall clock passed, but the task was never idle");
        assertTrue(harness.results.isEmpty());
    }

    private static SessionConfig liveConfig(String session) {
        SessionConfig config = config(session);
        config.setStart(dev.streamscribe.avro.StartPolicy.AT_FIRST_TURN);
        return config;
    }

    @Test
    void aLiveSessionIsReadyOnceItsFirstTurnIsCompleteNotAtItsEnd() {
        harness.configs.pipeInput("live", liveConfig("live"));
        harness.chunks.pipeInput("live", chunk("live", 0, 0, 9_600, false, false));
        assertEquals(Status.ASSEMBLING, status("live"), "turn 0 is still open");
        harness.chunks.pipeInput("live", chunk("live", 1, 0, 9_600, true, false));
        assertEquals(Status.READY, status("live"), "turn 0 is complete: it goes to the provider now");
        assertTrue(harness.results.isEmpty() && harness.deadLetters.isEmpty());
    }

    @Test
    void aLiveSessionWaitsForTheSeqsItsFirstTurnIsMissing() {
        harness.configs.pipeInput("live", liveConfig("live"));
        harness.chunks.pipeInput("live", chunk("live", 1, 0, 9_600, true, false));
        assertEquals(Status.ASSEMBLING, status("live"), "seq 0 is missing");
        harness.chunks.pipeInput("live", chunk("live", 0, 0, 9_600, false, false));
        assertEquals(Status.READY, status("live"), "the gap filled completes turn 0");
    }

    @Test
    void aLiveRunWaitingForTurnsGoesOutAgainWhenItsNextTurnCompletes() {
        harness.configs.pipeInput("live", liveConfig("live"));
        harness.chunks.pipeInput("live", chunk("live", 0, 0, 9_600, true, false));
        SessionState waiting = harness.state.get("live").admitted().awaitingTurns();
        harness.state.put("live", waiting);
        harness.driver.advanceWallClockTime(Duration.ofSeconds(1));
        harness.chunks.pipeInput("live", chunk("live", 1, 1, 9_600, false, false));
        assertEquals(Status.ASSEMBLING, status("live"), "turn 1 is still open");
        harness.chunks.pipeInput("live", chunk("live", 2, 1, 9_600, true, false));
        SessionState due = harness.state.get("live");
        assertEquals(Status.IN_FLIGHT, due.status(), "turn 1 is complete and has no result");
        assertEquals(1, due.attempt(), "no attempt spent on waiting");
    }

    @Test
    void anAbortEndsALiveRunAtOnceEvenWithATurnAtTheProvider() {
        harness.configs.pipeInput("live", liveConfig("live"));
        harness.chunks.pipeInput("live", chunk("live", 0, 0, 9_600, true, false));
        harness.state.put("live", harness.state.get("live").admitted());
        harness.chunks.pipeInput("live", abortMarker("live", 1, "the call dropped"));
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.EXPIRED, result.getStatus());
        assertEquals("ABORTED", result.getReason());
        assertTrue(result.getMessage().contains("the call dropped") && result.getMessage().contains("0 turn(s) with a "
                + "result stand"), result.getMessage());
        assertEquals(Status.EXPIRED, status("live"), "the connection still open is stale from now on");
        assertTrue(harness.deadLetters.isEmpty());
    }

    @Test
    void aBatchSessionStillWaitsForItsEnd() {
        harness.configs.pipeInput("batch", config("batch"));
        harness.chunks.pipeInput("batch", chunk("batch", 0, 0, 9_600, true, false));
        assertEquals(Status.ASSEMBLING, status("batch"));
    }

    private static AudioChunk abortMarker(String session, long seq, String reason) {
        return AudioChunk.newBuilder().setSessionId(session).setSeq(seq).setTurnIndex(0).setAudio(ByteBuffer.allocate(0))
                .setAbort(reason).build();
    }

    @Test
    void endsAnAbortedSessionAtOnceAsExpiredAbortedWithoutADeadLetter() {
        pipeSession("s1", 0, 1);
        harness.chunks.pipeInput("s1", abortMarker("s1", 2, "caller hung up"));
        SessionResult result = harness.results.readValue();
        assertEquals(SessionStatus.EXPIRED, result.getStatus());
        assertEquals("ABORTED", result.getReason());
        assertTrue(result.getMessage().contains("caller hung up") && result.getMessage().contains("2 chunks indexed"),
                result.getMessage());
        assertEquals(Status.EXPIRED, status("s1"));
        assertEquals(2, harness.state.get("s1").chunks(), "the marker is not indexed");
        assertTrue(harness.deadLetters.isEmpty(), "an abort is the producer's decision, not rejected input");
    }

    @Test
    void anAbortedRunNeverBecomesReadyWhenItsConfigArrivesLate() {
        harness.configs.pipeInput("s1", config("s1"));
        pipeSession("s1", 0);
        harness.chunks.pipeInput("s1", abortMarker("s1", 1, "upstream failed"));
        assertEquals("run-1", harness.results.readValue().getRunToken());
        pipeSession("s1", 1, 2);
        harness.configs.pipeInput("s1", config("s1"));
        assertEquals(Status.EXPIRED, status("s1"), "the aborted run keeps its result");
        assertTrue(harness.results.isEmpty());
    }

    @Test
    void deadLettersAnAbortThatArrivesAfterTheSessionIsComplete() {
        harness.configs.pipeInput("s1", config("s1"));
        pipeSession("s1", 0, 1, 2);
        harness.chunks.pipeInput("s1", abortMarker("s1", 3, "too late"));
        assertEquals(Status.READY, status("s1"), "the run goes on");
        DeadLetter letter = harness.deadLetters.readValue();
        assertEquals("ABORT_TOO_LATE", letter.getReasonCode());
        assertTrue(letter.getMessage().contains("READY"), letter.getMessage());
        assertTrue(harness.results.isEmpty());
    }

    @Test
    void anAbortedSessionExpiresNoMoreAtItsIdleTimeout() {
        pipeSession("s1", 0);
        harness.chunks.pipeInput("s1", abortMarker("s1", 1, "stop"));
        harness.results.readValue();
        harness.driver.advanceWallClockTime(IDLE.plusSeconds(10));
        assertTrue(harness.results.isEmpty() && harness.deadLetters.isEmpty(), "one result, no NO_CONFIG later");
    }

    @Test
    void shouldStartANewRunOfAnExpiredSessionWithANewRunToken() {
        harness.configs.pipeInput("s1", config("s1"));
        pipeSession("s1", 0, 2);
        harness.driver.advanceWallClockTime(IDLE.plusSeconds(10));
        assertEquals(Status.EXPIRED, status("s1"));
        SessionConfig replay = config("s1");
        replay.setRunToken("run-2");
        harness.configs.pipeInput("s1", replay);
        pipeSession("s1", 1);
        assertEquals(Status.READY, status("s1"));
        assertEquals("run-2", harness.state.get("s1").runToken());
    }

    @Test
    void shouldNeverReadyARunThatAlreadyHasASessionResult() {
        harness.resultsIn.pipeInput("s1", SessionResult.newBuilder().setSessionId("s1").setRunToken("run-1").setAttempt(1)
                .setStatus(SessionStatus.COMPLETED).build());
        harness.configs.pipeInput("s1", config("s1"));
        pipeSession("s1", 0, 1, 2);
        assertEquals(Status.FINISHED, status("s1"));
        assertTrue(harness.results.isEmpty() && harness.deadLetters.isEmpty());
    }

    /** A config as ingest publishes it: its run token derived from its request, by {@code token}. */
    private static SessionConfig ingested(String session, Function<SessionConfig, String> token) {
        SessionConfig config = config(session);
        config.setRunToken(token.apply(config));
        return config;
    }

    @Test
    void shouldNeverReadyARunThatFinishedUnderTheEarlierTokenOfTheSameRequest() {
        SessionConfig before = ingested("s1", RunTokens::legacy);
        harness.resultsIn.pipeInput("s1", SessionResult.newBuilder().setSessionId("s1").setRunToken(before.getRunToken())
                .setAttempt(1).setStatus(SessionStatus.COMPLETED).build());
        harness.configs.pipeInput("s1", ingested("s1", RunTokens::of)); // re-ingested after the upgrade
        pipeSession("s1", 0, 1, 2);
        assertEquals(Status.FINISHED, status("s1"), "the same request is the same run: never paid twice");
        assertTrue(harness.results.isEmpty() && harness.deadLetters.isEmpty());
    }

    @Test
    void shouldTreatTheSameRequestUnderTheNewTokenAsTheRunInFlightUnderTheEarlierOne() {
        harness.configs.pipeInput("s1", ingested("s1", RunTokens::legacy));
        pipeSession("s1", 0, 1, 2);
        harness.configs.pipeInput("s1", ingested("s1", RunTokens::of));
        assertTrue(harness.deadLetters.isEmpty(), "not CONFIG_CHANGED_IN_FLIGHT");
        assertEquals(Status.READY, status("s1"));
        assertEquals(RunTokens.legacy(config("s1")), harness.state.get("s1").runToken(), "the run keeps its token");
    }

    @Test
    void shouldStillRunACallersOwnTokenAfterAnEarlierRunOfTheSameRequest() {
        harness.resultsIn.pipeInput("s1", SessionResult.newBuilder().setSessionId("s1")
                .setRunToken(RunTokens.legacy(config("s1"))).setAttempt(1).setStatus(SessionStatus.COMPLETED).build());
        SessionConfig replay = config("s1");
        replay.setRunToken("run-1~replay-1");
        harness.configs.pipeInput("s1", replay);
        pipeSession("s1", 0, 1, 2);
        assertEquals(Status.READY, status("s1"), "a replay token is a new run");
    }

    @Test
    void namesTheKeysPartitionsUnderBothPartitionersWhenOneHalfOfASessionNeverCame() {
        harness.close();
        DispatchServices noSlots = DispatchServices.create(0, (request, refs) -> CompletableFuture.failedFuture(
                new IllegalStateException("no session may start in these tests")), new RetryPolicy(1, Duration.ZERO),
                new PipelineMetrics(new SimpleMeterRegistry()));
        harness = new TopologyHarness(stateDir.resolve("partitions"), new AssemblerSettings(IDLE,
                Duration.ofSeconds(5), Duration.ofSeconds(1), Dialect.OPENAI_GA).withInputPartitions(6), noSlots, T0);
        pipeSession("s-partition-hint", 0, 1);
        harness.configs.pipeInput("s-abc", config("s-abc"));
        harness.driver.advanceWallClockTime(IDLE.plusSeconds(10));
        Map<String, String> messages = new java.util.HashMap<>();
        harness.deadLetters.readValuesToList().forEach(l -> messages.put(l.getReasonCode(), l.getMessage()));
        // CRC32 placements computed apart, with Python's zlib.crc32(key) % 6; murmur2 is the Java producer's own
        int murmur2 = org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(
                "s-partition-hint".getBytes(java.nio.charset.StandardCharsets.UTF_8), 6);
        assertTrue(messages.get("NO_CONFIG").contains("this task reads partition 0 of 6, where key 's-partition-hint' "
                + "goes under murmur2 (Java clients' default) to partition " + murmur2 + " and under CRC32 "
                + "(librdkafka's default) to partition 5: if the config were published"), messages.get("NO_CONFIG"));
        assertTrue(messages.get("NO_END").startsWith("session 's-abc' has its config but no chunk arrived within"),
                messages.get("NO_END"));
        assertTrue(messages.get("NO_END").contains("under CRC32 (librdkafka's default) to partition 5: if the chunks"),
                messages.get("NO_END"));
        assertTrue(harness.results.readValuesToList().stream().allMatch(r -> r.getReason().equals("NO_CONFIG")
                ? r.getMessage().equals(messages.get("NO_CONFIG")) : r.getMessage().equals(messages.get("NO_END"))),
                "the SessionResult says the same");
    }

    /** A harness whose sessions may hold 2 chunks, 500 ms of audio and 1 turn; an hour of age, three when live. */
    private TopologyHarness limited() {
        harness.close();
        DispatchServices noSlots = DispatchServices.create(0, (request, refs) -> CompletableFuture.failedFuture(
                new IllegalStateException("no session may start in these tests")), new RetryPolicy(1, Duration.ZERO),
                new PipelineMetrics(new SimpleMeterRegistry()));
        harness = new TopologyHarness(stateDir.resolve("limited"), new AssemblerSettings(IDLE, Duration.ofSeconds(5),
                Duration.ofSeconds(1), Dialect.OPENAI_GA, new SessionAssembler.Limits(2, Duration.ofMillis(500), 1, Duration.ofHours(1),
                Duration.ofHours(3)),
                Optional.empty()),
                noSlots, T0);
        return harness;
    }

    @Test
    void aLiveSessionHasItsOwnAgeLimitSoACallOutlastsTheBatchOne() {
        TopologyHarness h = limited(); // idle 10 min, age limit 1 h, 3 h when live
        SessionConfig live = config("call");
        live.setStart(dev.streamscribe.avro.StartPolicy.AT_FIRST_TURN);
        for (int minute = 0; minute <= 175; minute += 5) {
            h.configs.pipeInput("call", live, T0.plus(Duration.ofMinutes(minute))); // a two-hour call and more
        }
        assertTrue(h.results.isEmpty(), "a live session may take three hours");
        h.configs.pipeInput("call", live, T0.plus(Duration.ofMinutes(181)));
        SessionResult result = h.results.readValue();
        assertEquals("LIMIT_AGE", result.getReason());
        assertTrue(result.getMessage().contains("session.live-max-age-ms") && result.getMessage().contains("10800 s"),
                result.getMessage());
    }

    @Test
    void shouldFailARunThatExceedsTheChunkLimitAndIndexNoFurtherChunks() {
        TopologyHarness h = limited();
        h.configs.pipeInput("s1", config("s1"));
        h.chunks.pipeInput("s1", chunk("s1", 0, 0, 2_400, false, false));
        h.chunks.pipeInput("s1", chunk("s1", 1, 0, 2_400, false, false));
        h.chunks.pipeInput("s1", chunk("s1", 2, 0, 2_400, false, false));
        SessionResult result = h.results.readValue();
        assertEquals(SessionStatus.FAILED, result.getStatus());
        assertEquals("LIMIT_CHUNKS", result.getReason());
        assertEquals("LIMIT_CHUNKS", h.deadLetters.readValue().getReasonCode());
        h.chunks.pipeInput("s1", chunk("s1", 3, 0, 2_400, true, true));
        assertEquals("LIMIT_CHUNKS", h.deadLetters.readValue().getReasonCode(), "refused, not indexed");
        assertTrue(h.results.isEmpty(), "one result per run");
        assertEquals(2, h.state.get("s1").chunks());
    }

    @Test
    void shouldFailARunWithMoreTurnsThanTheLimitBeforeAnythingIsSent() {
        TopologyHarness h = limited();
        h.configs.pipeInput("s1", config("s1"));
        h.chunks.pipeInput("s1", chunk("s1", 0, 0, 4_800, true, false));
        h.chunks.pipeInput("s1", chunk("s1", 1, 1, 4_800, true, true));
        SessionResult result = h.results.readValue();
        assertEquals("LIMIT_TURNS", result.getReason());
        assertEquals(Status.FINISHED, h.state.get("s1").status());
    }

    @Test
    void shouldFailARunWithMoreAudioThanTheLimitBeforeAnythingIsSent() {
        TopologyHarness h = limited();
        h.configs.pipeInput("s1", config("s1"));
        h.chunks.pipeInput("s1", chunk("s1", 0, 0, 14_400, false, false));
        h.chunks.pipeInput("s1", chunk("s1", 1, 0, 14_400, true, true));
        SessionResult result = h.results.readValue();
        assertEquals("LIMIT_AUDIO", result.getReason());
        assertEquals("LIMIT_AUDIO", h.deadLetters.readValue().getReasonCode());
    }

    @Test
    void shouldExpireARunStillIncompletePastTheAgeLimitEvenWhileInputKeepsArriving() {
        TopologyHarness h = limited(); // idle 10 min, age limit 1 h
        for (int minute = 0; minute <= 55; minute += 5) {
            h.configs.pipeInput("s1", config("s1"), T0.plus(Duration.ofMinutes(minute))); // never idle
        }
        assertTrue(h.results.isEmpty(), "within the hour");
        h.configs.pipeInput("s1", config("s1"), T0.plus(Duration.ofMinutes(61)));
        SessionResult result = h.results.readValue();
        assertEquals(SessionStatus.EXPIRED, result.getStatus());
        assertEquals("LIMIT_AGE", result.getReason());
        assertTrue(result.getMessage().contains("session.max-age-ms"), result.getMessage());
        assertEquals("LIMIT_AGE", h.deadLetters.readValue().getReasonCode());
        assertEquals(Status.EXPIRED, h.state.get("s1").status());
    }

    @Test
    void shouldCountALaterRunsAgeFromItsOwnConfigNotFromTheSessionsFirstInput() {
        TopologyHarness h = limited();
        h.configs.pipeInput("s1", config("s1"), T0);
        h.chunks.pipeInput("s1", chunk("s1", 0, 0, 4_800, true, true), T0);
        assertEquals(Status.READY, h.state.get("s1").status());
        h.resultsIn.pipeInput("s1", SessionResult.newBuilder().setSessionId("s1").setRunToken("run-1").setAttempt(1)
                .setStatus(SessionStatus.COMPLETED).build(), T0);
        SessionConfig later = config("s1");
        later.setRunToken("run-2");
        Instant twoHoursLater = T0.plus(Duration.ofHours(2));
        h.state.put("s1", h.state.get("s1").admitted().finished()); // run-1 done, as the drain would record it
        h.configs.pipeInput("s1", later, twoHoursLater);
        assertEquals(twoHoursLater.toEpochMilli(), h.state.get("s1").runStartTimestamp());
        assertEquals(Status.READY, h.state.get("s1").status(), "its audio is indexed: ready at once, not aged out");
    }
}
