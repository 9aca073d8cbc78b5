package dev.streamscribe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamscribe.audio.AudioFileDecoder;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.results.TopicReader;
import dev.streamscribe.testing.Cli;
import dev.streamscribe.testing.TestWavs.Tone;
import dev.streamscribe.testing.TestWavs;
import dev.streamscribe.topology.PipelineTopics;
import dev.streamscribe.topology.Topics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A batch job with the operator's commands, in order, on the real broker and registry and the local realtime server:
 * ingest (twice), run --exit-when-drained, export, status, replay, reset. Each step builds on the one before.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BatchJobIT {
    private static final String NAME = "batch-it";
    @TempDir
    static Path dir;
    private static LocalRealtimeServer server;
    private static List<String> flags;
    private static Topics topics;
    private static Map<String, Object> clients;
    private static Path recordings;
    private static String sessionA;
    private static String sessionB;

    @BeforeAll
    static void setUp() throws Exception {
        server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()));
        flags = Cli.pipelineFlags(NAME, dir.resolve("state"), server.url(Dialect.OPENAI_GA).toString());
        PipelineConfig config = Cli.pipelineConfig(flags);
        topics = PipelineTopics.connect(config, Map.of());
        clients = PipelineTopics.clientProperties(config);
        recordings = Files.createDirectories(dir.resolve("recordings"));
        // a: speech, a 1 s pause, speech: two turns; b: one turn
        Path a1 = TestWavs.write(dir.resolve("a1.wav"), 24_000f, 16, 1, false, 2.5, new Tone(300, 0.5));
        Path pause = TestWavs.write(dir.resolve("pause.wav"), 24_000f, 16, 1, false, 1.0, new Tone(300, 0.0));
        Path a2 = TestWavs.write(dir.resolve("a2.wav"), 24_000f, 16, 1, false, 1.5, new Tone(500, 0.5));
        concatenate(recordings.resolve("a.wav"), a1, pause, a2);
        TestWavs.write(recordings.resolve("b.wav"), 48_000f, 16, 2, false, 1.5, new Tone(700, 0.5));
    }

    @AfterAll
    static void tearDown() {
        server.close();
    }

    /** One 24 kHz mono WAV made of others'. */
    private static void concatenate(Path target, Path... parts) throws Exception {
        ByteArrayOutputStream pcm = new ByteArrayOutputStream();
        for (Path part : parts) {
            AudioFileDecoder.wavToPcm16(part, pcm::writeBytes);
        }
        byte[] bytes = pcm.toByteArray();
        var format = new AudioFormat(24_000, 16, 1, true, false);
        try (var stream = new AudioInputStream(new ByteArrayInputStream(bytes), format, bytes.length / 2)) {
            AudioSystem.write(stream, AudioFileFormat.Type.WAVE, target.toFile());
        }
    }

    private static List<SessionResult> results() {
        List<SessionResult> out = new ArrayList<>();
        try (TopicReader<SessionResult> reader = new TopicReader<>(clients, topics.sessionResults().name(),
                topics.sessionResults().valueSerde().deserializer())) {
            reader.readToEnd((key, value) -> out.add(value));
        }
        return out;
    }

    private static List<TranscriptionEvent> transcriptions() {
        List<TranscriptionEvent> out = new ArrayList<>();
        try (TopicReader<TranscriptionEvent> reader = new TopicReader<>(clients, topics.transcriptions().name(),
                topics.transcriptions().valueSerde().deserializer())) {
            reader.readToEnd((key, value) -> out.add(value));
        }
        return out;
    }

    private static Cli.Result runUntilDrained() {
        return assertTimeoutPreemptively(Duration.ofSeconds(120),
                () -> Cli.run(Cli.args("run", flags, "--exit-when-drained")));
    }

    @Test
    @Order(1)
    void shouldPublishEachRecordingOnceEvenWhenIngestedTwice() {
        Cli.Result first = Cli.run(Cli.args("ingest", flags, recordings.toString()));
        Cli.Result again = Cli.run(Cli.args("ingest", flags, "--json", recordings.resolve("a.wav").toString()));
        assertEquals(0, first.exitCode(), first.toString());
        assertEquals(0, again.exitCode(), again.toString());
        String[] lines = first.out().trim().split("\n");
        assertEquals(2, lines.length, first.toString());
        sessionA = lines[0].trim().split("\\s+")[0];
        sessionB = lines[1].trim().split("\\s+")[0];
        assertTrue(lines[0].contains("2 turn(s)") && lines[0].endsWith("a.wav"), lines[0]);
        assertTrue(lines[1].contains("1 turn(s)") && lines[1].endsWith("b.wav"), lines[1]);
        List<JsonNode> json = jsonLines(again.out());
        assertEquals(2, json.size(), "one object per session and a summary: " + again);
        assertEquals("ingested", json.get(0).path("event").asText());
        assertEquals(sessionA, json.get(0).path("session_id").asText());
        assertEquals(lines[0].trim().split("\\s+")[1], json.get(0).path("run_token").asText(), "the same run");
        assertEquals(2, json.get(0).path("turns").asInt());
        assertEquals("summary", json.get(1).path("event").asText());
        assertEquals(1, json.get(1).path("ingested").asInt());
        assertEquals(0, json.get(1).path("failed").asInt());
    }

    private static List<JsonNode> jsonLines(String out) {
        return out.lines().map(line -> {
            try {
                return new ObjectMapper().readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }).toList();
    }

    @Test
    @Order(2)
    void shouldExitWhenDrainedWithExactlyOneResultPerSessionAndOneTranscriptionPerTurn() {
        Cli.Result run = runUntilDrained();
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("drained: every input consumed and every session has its result"), run.out());
        List<SessionResult> results = results();
        assertEquals(2, results.size(), results.toString());
        assertTrue(results.stream().allMatch(r -> r.getStatus() == SessionStatus.COMPLETED), results.toString());
        List<TranscriptionEvent> turns = transcriptions();
        assertEquals(2, turns.stream().filter(t -> t.getSessionId().equals(sessionA)).count(), turns.toString());
        assertEquals(1, turns.stream().filter(t -> t.getSessionId().equals(sessionB)).count(), turns.toString());
    }

    @Test
    @Order(3)
    void shouldExportEveryFormatNamedAfterTheRecordingsWithTurnTimes() throws Exception {
        Path out = dir.resolve("export");
        Cli.Result export = Cli.run(Cli.args("export", flags, "--out", out.toString(), "--format", "txt,jsonl,srt,vtt"));
        assertEquals(0, export.exitCode(), export.toString());
        for (String name : List.of("a", "b")) {
            for (String ext : List.of("txt", "jsonl", "srt", "vtt")) {
                assertTrue(Files.isRegularFile(out.resolve(name + "." + ext)), name + "." + ext + " in " + export);
            }
        }
        List<TranscriptionEvent> turnsOfA = transcriptions().stream().filter(t -> t.getSessionId().equals(sessionA))
                .sorted(Comparator.comparingInt(TranscriptionEvent::getTurnIndex)).toList();
        assertEquals(turnsOfA.get(0).getTranscript().strip() + "\n\n" + turnsOfA.get(1).getTranscript().strip() + "\n",
                Files.readString(out.resolve("a.txt")));
        String srt = Files.readString(out.resolve("a.srt"));
        assertTrue(srt.startsWith("1\n00:00:00,000 --> 00:00:03,"), srt);
        assertTrue(srt.contains("\n2\n00:00:03,"), srt);
        assertEquals(2, Files.readAllLines(out.resolve("a.jsonl")).size());
        assertTrue(Files.readString(out.resolve("b.vtt")).startsWith("WEBVTT\n\n00:00:00.000 --> 00:00:01.5"));
    }

    @Test
    @Order(4)
    void shouldReportEverySessionDoneAsOneJsonObjectForScripts() {
        Cli.Result status = Cli.run(Cli.args("status", flags, "--json"));
        assertEquals(0, status.exitCode(), status.toString());
        List<JsonNode> json = jsonLines(status.out());
        assertEquals(1, json.size(), status.out());
        JsonNode report = json.getFirst();
        assertEquals(2, report.path("sessions").path("total").asInt(), status.out());
        assertEquals(2, report.path("sessions").path("done").asInt(), status.out());
        assertEquals(0, report.path("sessions").path("remaining").asInt(), status.out());
        assertEquals(0, report.path("eta_seconds").asInt(), status.out());
        assertTrue(report.path("audio_finished_ms").asLong() > 4000, status.out());
        assertTrue(report.path("registry").path("reachable").asBoolean(), status.out());
        assertEquals(0, report.path("instances").size(), status.out());
        double spent = results().stream().mapToDouble(r -> r.getCost().getAmount()).sum();
        assertTrue(spent > 0, "the local server reports tokens for gpt-4o-transcribe: " + results());
        assertEquals(spent, report.path("cost").path("spent").asDouble(), 1e-12, status.out());
        assertEquals(0, report.path("cost").path("projected_audio_ms").asLong(), "nothing waits: " + status.out());
    }

    @Test
    @Order(4)
    void shouldReportEverySessionDone() {
        Cli.Result status = Cli.run(Cli.args("status", flags));
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.out().contains("sessions     2 total: 2 done, 0 done with errors, 0 failed, 0 expired"), status.out());
        assertTrue(status.out().contains("0 in flight, 0 waiting for a slot, 0 assembling, 0 not yet read"), status.out());
        assertTrue(status.out().contains("dead letters 0"), status.out());
        assertTrue(status.out().lines().anyMatch(line -> line.matches("cost {9}USD [0-9.]+ spent by finished sessions")),
                status.out());
        assertTrue(status.out().contains("registry     reachable at "), status.out());
        assertTrue(status.out().contains("instances    none reporting"), "run stopped and removed its entry: "
                + status.out());
    }

    @Test
    @Order(5)
    void shouldReplayNothingByDefaultEstimateEverySessionAndReplayANamedSessionOnRequest() {
        Cli.Result none = Cli.run(Cli.args("replay", flags));
        assertEquals(0, none.exitCode(), none.toString());
        assertTrue(none.err().contains("replayed 0 session(s)"), none.err());
        Cli.Result estimate = Cli.run(Cli.args("replay", flags, "--all", "--estimate"));
        assertEquals(0, estimate.exitCode(), estimate.toString());
        assertTrue(estimate.out().lines().allMatch(line -> line.contains("(COMPLETED) -> r2-")
                && line.matches(".*  [0-9.]+ s  USD [0-9.]+-[0-9.]+$")), "gpt-4o-transcribe is token-billed: a range\n"
                + estimate.out());
        assertTrue(estimate.err().contains("estimate: 2 session(s)") && estimate.err().contains("nothing published"),
                estimate.err());
        Cli.Result one = Cli.run(Cli.args("replay", flags, "--session", sessionB));
        assertEquals(0, one.exitCode(), one.toString());
        assertTrue(one.out().startsWith(sessionB + "  r2-") && one.out().contains("(COMPLETED) -> r2-"), one.out());
        Cli.Result run = runUntilDrained();
        assertEquals(0, run.exitCode(), run.toString());
        List<SessionResult> results = results();
        assertEquals(3, results.size(), "one more run of b: " + results);
        assertEquals(2, results.stream().filter(r -> r.getSessionId().equals(sessionB)).map(SessionResult::getRunToken)
                .distinct().count());
    }

    @Test
    @Order(6)
    void shouldResetTheApplicationWithoutSendingFinishedRunsAgain() {
        Cli.Result dry = Cli.run(Cli.args("reset", flags, "--dry-run"));
        assertEquals(0, dry.exitCode(), dry.toString());
        assertTrue(dry.out().contains("dry run: nothing changed"), dry.out());
        Cli.Result reset = Cli.run(Cli.args("reset", flags));
        assertEquals(0, reset.exitCode(), reset.toString());
        assertTrue(reset.out().contains("reset done"), reset.out());
        assertTrue(!Files.exists(dir.resolve("state").resolve(NAME)), "local state deleted");
        int connectionsBefore = server.connectionsAccepted();
        Cli.Result run = runUntilDrained();
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(3, results().size(), "every input read again, no run sent again");
        assertEquals(connectionsBefore, server.connectionsAccepted(), "the provider was not called");
    }

    @Test
    @Order(7)
    void shouldCostWhatIngestEstimatedExactlyForDurationBillingAndWithinTheRangeForTokens() throws Exception {
        // token billing (gpt-4o-transcribe, the default): each first run's cost falls in the estimate's range
        Cli.Result tokenEstimate = Cli.run(Cli.args("ingest", flags, "--estimate", "--json", recordings.toString()));
        assertEquals(0, tokenEstimate.exitCode(), tokenEstimate.toString());
        Map<String, JsonNode> byFile = new java.util.HashMap<>();
        jsonLines(tokenEstimate.out()).stream().filter(line -> line.path("event").asText().equals("estimate"))
                .forEach(line -> byFile.put(Path.of(line.path("file").asText()).getFileName().toString(), line));
        for (Map.Entry<String, String> session : Map.of("a.wav", sessionA, "b.wav", sessionB).entrySet()) {
            JsonNode estimate = byFile.get(session.getKey());
            assertEquals("RANGE", estimate.path("kind").asText(), tokenEstimate.out());
            SessionResult first = results().stream().filter(r -> r.getSessionId().equals(session.getValue()))
                    .min(Comparator.comparingLong(SessionResult::getFinishedAtMs)).orElseThrow();
            double cost = first.getCost().getAmount();
            assertFalse(first.getCost().getEstimated(), "priced from the tokens the server reported");
            assertTrue(cost >= estimate.path("cost_low").asDouble() && cost <= estimate.path("cost_high").asDouble(),
                    session.getKey() + " cost " + cost + " outside " + estimate);
        }

        // duration billing (whisper-1): the run costs exactly what the estimate said, turn rounding included
        Path c = TestWavs.write(recordings.resolve("c.wav"), 24_000f, 16, 1, false, 2.3, new Tone(400, 0.5));
        Cli.Result exact = Cli.run(Cli.args("ingest", flags, "--estimate", "--json", "--transcription-model",
                "whisper-1", c.toString()));
        JsonNode estimate = jsonLines(exact.out()).getFirst();
        assertEquals("EXACT", estimate.path("kind").asText(), exact.out());
        Cli.Result ingest = Cli.run(Cli.args("ingest", flags, "--transcription-model", "whisper-1", c.toString()));
        assertEquals(0, ingest.exitCode(), ingest.toString());
        String sessionC = ingest.out().trim().split("\\s+")[0];
        Cli.Result run = runUntilDrained();
        assertEquals(0, run.exitCode(), run.toString());
        SessionResult result = results().stream().filter(r -> r.getSessionId().equals(sessionC)).findFirst()
                .orElseThrow();
        assertEquals(estimate.path("cost_low").asDouble(), result.getCost().getAmount(), 1e-12, result.toString());
        assertFalse(result.getCost().getEstimated());
        assertEquals(0, result.getCostUnpriced());
        double turns = transcriptions().stream().filter(t -> t.getSessionId().equals(sessionC))
                .mapToDouble(t -> t.getCost().getAmount()).sum();
        assertEquals(result.getCost().getAmount(), turns, 1e-12, "the result sums its turns");
    }
}
