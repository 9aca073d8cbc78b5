package dev.streamscribe.realtime.driver;

import dev.streamscribe.realtime.driver.ErrorClassifier.Purpose;
import dev.streamscribe.realtime.event.ErrorInfo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorClassifierTest {
    private static ErrorInfo error(String type, String code) {
        return new ErrorInfo(type, Optional.ofNullable(code), "message", Optional.empty(), Optional.empty());
    }

    @Test
    void shouldTreatARejectedSessionUpdateAsAPermanentConfigError() {
        Classification c = ErrorClassifier.ofError(error("invalid_request_error", "unknown_parameter"),
                Optional.of(Purpose.CONFIG));
        assertEquals(FailureClass.PERMANENT, c.failureClass());
        assertEquals("CONFIG_REJECTED", c.reason());
    }

    @Test
    void shouldTreatACommitErrorAsTurnLevel() {
        assertEquals(FailureClass.TURN, ErrorClassifier.ofError(
                error("invalid_request_error", "input_audio_buffer_commit_empty"), Optional.of(Purpose.COMMIT)).failureClass());
    }

    @Test
    void shouldTreatServerErrorsAsTransientEvenWhenCorrelated() {
        assertEquals(FailureClass.TRANSIENT, ErrorClassifier.ofError(error("server_error", null),
                Optional.of(Purpose.COMMIT)).failureClass());
    }

    @Test
    void shouldTreatSessionExpiredAsTransient() {
        Classification c = ErrorClassifier.ofError(error("invalid_request_error", "session_expired"), Optional.empty());
        assertEquals(FailureClass.TRANSIENT, c.failureClass());
        assertEquals("SESSION_EXPIRED", c.reason());
    }

    @Test
    void shouldNoteAnInvalidRequestNotTiedToOurEventsAndGoOn() {
        assertEquals(FailureClass.NOTED, ErrorClassifier.ofError(error("invalid_request_error", "invalid_value"),
                Optional.empty()).failureClass());
    }

    @Test
    void shouldTreatAnExhaustedQuotaInAnErrorEventAsPermanentWhateverItAnswers() {
        for (Optional<Purpose> answering : List.of(Optional.<Purpose>empty(), Optional.of(Purpose.COMMIT))) {
            Classification c = ErrorClassifier.ofError(error("insufficient_quota", "insufficient_quota"), answering);
            assertEquals(FailureClass.PERMANENT, c.failureClass());
            assertEquals("INSUFFICIENT_QUOTA", c.reason());
            assertTrue(c.quotaExhausted());
        }
    }

    @Test
    void shouldCountOnlyConnectionFailuresAsConnectionLevel() {
        assertTrue(Classification.transientFailure("ABNORMAL_CLOSE", "x").connectionLevel());
        assertTrue(Classification.transientFailure("UPGRADE_REFUSED_503", "x").connectionLevel());
        assertTrue(Classification.transientFailure("CONNECT_FAILED", "x").connectionLevel());
        assertTrue(!Classification.transientFailure("ITEM_TIMEOUT", "x").connectionLevel(), "a turn-level wait");
        assertTrue(!Classification.transientFailure("PROVIDER_SERVER_ERROR", "x").connectionLevel(), "an error event");
        assertTrue(!ErrorClassifier.ofUpgradeStatus(401, "ws://x").connectionLevel(), "a refusal is an answer");
    }

    @Test
    void shouldNoteErrorsNotTiedToOurEventsWhateverTheirType() {
        assertEquals(FailureClass.NOTED, ErrorClassifier.ofError(error("overloaded", null), Optional.empty()).failureClass());
        assertEquals(FailureClass.NOTED, ErrorClassifier.ofError(error("server_error", null), Optional.empty()).failureClass());
    }

    @Test
    void shouldTreatUnknownErrorTypesAnsweringAnAppendAsTransient() {
        assertEquals(FailureClass.TRANSIENT, ErrorClassifier.ofError(error("overloaded", null),
                Optional.of(Purpose.APPEND)).failureClass());
    }

    @Test
    void shouldFindTheItemInAnInputTranscriptionFailedError() {
        ErrorInfo error = new ErrorInfo("server_error", Optional.empty(),
                "Input transcription failed for item 'item_Bx7'.", Optional.empty(), Optional.empty());
        assertEquals(Optional.of("item_Bx7"), ErrorClassifier.transcriptionFailedItem(error));
        assertEquals(Optional.empty(), ErrorClassifier.transcriptionFailedItem(error("server_error", null)));
    }

    @Test
    void shouldTreatTheRetiredBetaInterfaceAsPermanentWithAWayOut() {
        Classification c = ErrorClassifier.ofError(error("invalid_request_error", "beta_api_shape_disabled"),
                Optional.empty());
        assertEquals(FailureClass.PERMANENT, c.failureClass());
        assertEquals("BETA_API_RETIRED", c.reason());
        assertTrue(c.message().contains("openai-ga"), c.message());
    }

    @Test
    void shouldNoteAnErrorAnsweringOurClear() {
        assertEquals(FailureClass.NOTED, ErrorClassifier.ofError(error("invalid_request_error", "invalid_value"),
                Optional.of(Purpose.CLEAR)).failureClass());
    }

    @Test
    void shouldTreatFailedResponsesAsTurnLevelExceptQuota() {
        assertEquals(FailureClass.TURN, ErrorClassifier.ofResponseDone("incomplete", Optional.empty()).orElseThrow().failureClass());
        assertEquals(FailureClass.PERMANENT, ErrorClassifier.ofResponseDone("failed",
                Optional.of(error("insufficient_quota", "insufficient_quota"))).orElseThrow().failureClass());
        assertTrue(ErrorClassifier.ofResponseDone("completed", Optional.empty()).isEmpty());
    }

    @Test
    void shouldPrintTheSameTableInTheReadmeAndTheProtocolNotes() throws IOException {
        for (String document : List.of("README.md", "docs/protocol.md")) {
            String text = Files.readString(Path.of(System.getProperty("streamscribe.project.dir", "."), document));
            assertTrue(text.contains(ErrorClassifier.markdownTable()), document + " must contain "
                    + "ErrorClassifier.markdownTable() verbatim:\n" + ErrorClassifier.markdownTable());
        }
    }
}
