package dev.streamscribe.results;

import dev.streamscribe.avro.Cost;
import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.ResponseStatus;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.avro.TurnStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each export format of one known session, compared with a hand-checked file in src/test/resources/export. */
class TranscriptFormatTest {
    @TempDir
    Path dir;

    private static TranscriptionEvent turn(int index, TurnStatus status, String reason, String text, long start, long end) {
        return TranscriptionEvent.newBuilder().setSessionId("s-1").setRunToken("r-1").setAttempt(2).setTurnIndex(index)
                .setStatus(status).setReason(reason).setTranscript(text).setTurnStartMs(start).setTurnEndMs(end)
                .setLanguage(status == TurnStatus.COMPLETED ? "en" : null).setProvider("openai")
                .setTranscriptionModel("whisper-1").setCost(index == 2 ? null // unknown: written as null, never 0
                        : cost(index == 0 ? 0.0005 : 0, false)).build();
    }

    private static Cost cost(double amount, boolean estimated) {
        return Cost.newBuilder().setAmount(amount).setCurrency("USD").setEstimated(estimated).build();
    }

    static SessionTranscript session() {
        SessionResult result = SessionResult.newBuilder().setSessionId("s-1").setRunToken("r-1").setAttempt(2)
                .setStatus(SessionStatus.COMPLETED_WITH_ERRORS).setTurnsTotal(3).setTurnsCompleted(2).setTurnsSkipped(1)
                .setAudioMs(3_723_456).setMetadata(Map.of("source", "board meeting.wav")).build();
        ResponseEvent response = ResponseEvent.newBuilder().setSessionId("s-1").setRunToken("r-1").setAttempt(2)
                .setTurnIndex(0).setStatus(ResponseStatus.COMPLETED).setText("A greeting.").setCost(cost(0.00012, true))
                .build();
        // turns deliberately out of order: the export orders them
        return new SessionTranscript(result, List.of(
                turn(2, TurnStatus.COMPLETED, null, "Revenue grew <5%> & costs --> fell.", 3_600_000, 3_723_456),
                turn(0, TurnStatus.COMPLETED, null, " Good morning, everyone. ", 0, 4_250),
                turn(1, TurnStatus.SKIPPED, "TURN_TOO_SHORT", "", 4_250, 4_300)), List.of(response));
    }

    private static String expected(TranscriptFormat format) throws IOException {
        try (InputStream in = TranscriptFormatTest.class.getResourceAsStream("/export/expected." + format.extension())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @EnumSource(TranscriptFormat.class)
    void shouldRenderTheSessionAsTheExpectedFile(TranscriptFormat format) throws IOException {
        assertEquals(expected(format), format.render(session()));
    }

    @Test
    void shouldNameFilesAfterTheRecordingAndKeepTwoSessionsOfTheSameNameApart() throws IOException {
        TranscriptFiles files = new TranscriptFiles(dir, List.of(TranscriptFormat.TXT));
        SessionTranscript first = session();
        SessionResult other = SessionResult.newBuilder(first.result()).setSessionId("s-2").build();
        assertEquals(List.of(dir.resolve("board_meeting.txt")), files.write(first));
        assertEquals(List.of(dir.resolve("board_meeting-s-2.txt")),
                files.write(new SessionTranscript(other, first.turns(), List.of())));
        assertEquals(expected(TranscriptFormat.TXT), Files.readString(dir.resolve("board_meeting.txt")));
    }
}
