package dev.streamscribe.realtime.wire;

import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.event.ServerEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fields that some providers leave out do not make an event malformed: an error without a type, deltas without their
 * response or item id. Required fields (a committed's item id, a response's id in response.done) still do.
 */
class OptionalFieldsTest {
    @ParameterizedTest
    @EnumSource(Dialect.class)
    void anErrorWithoutATypeIsStillAnError(Dialect dialect) {
        ServerEvent event = DialectCodec.of(dialect).decode(
                "{\"type\":\"error\",\"error\":{\"message\":\"Something went wrong.\"}}");
        ServerEvent.Error error = assertInstanceOf(ServerEvent.Error.class, event);
        assertEquals("", error.error().type());
        assertEquals("Something went wrong.", error.error().message());
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void deltasWithoutTheirIdsAreKept(Dialect dialect) {
        String text = dialect == Dialect.OPENAI_BETA ? "response.text.delta" : "response.output_text.delta";
        ServerEvent.ResponseTextDelta delta = assertInstanceOf(ServerEvent.ResponseTextDelta.class,
                DialectCodec.of(dialect).decode("{\"type\":\"" + text + "\",\"delta\":\"Hel\"}"));
        assertEquals("", delta.responseId(), "belongs to the one active response");
        assertEquals("Hel", delta.delta());
        ServerEvent.TranscriptionDelta transcription = assertInstanceOf(ServerEvent.TranscriptionDelta.class,
                DialectCodec.of(dialect).decode("{\"type\":\"conversation.item.input_audio_transcription.delta\","
                        + "\"delta\":\"hi\"}"));
        assertEquals("", transcription.itemId());
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aCommittedWithoutItsItemIsStillMalformed(Dialect dialect) {
        MalformedEventException refused = assertThrows(MalformedEventException.class,
                () -> DialectCodec.of(dialect).decode("{\"type\":\"input_audio_buffer.committed\"}"));
        assertTrue(refused.getMessage().contains("item_id"), refused.getMessage());
    }
}
