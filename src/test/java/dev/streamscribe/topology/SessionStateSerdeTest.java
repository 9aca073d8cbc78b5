package dev.streamscribe.topology;

import dev.streamscribe.records.UpgradeFixtures;
import dev.streamscribe.topology.SessionState.Status;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** session-state values: every version ever written stays readable; the current one keeps enums by name. */
class SessionStateSerdeTest {
    private final SessionStateSerde serde = new SessionStateSerde();

    /** The states whose version 1 bytes were captured (src/test/resources/fixtures/v1/session-state.properties). */
    private static Map<String, SessionState> captured() {
        Map<String, SessionState> states = new LinkedHashMap<>();
        states.put("empty", SessionState.empty());
        states.put("ready", SessionState.empty().newRun(SessionState.encode(UpgradeFixtures.transcriptionOnly()), "r-fixture-1")
                .withChunk(0, false).withChunk(1, true).ready());
        states.put("in-flight", SessionState.empty().newRun(SessionState.encode(UpgradeFixtures.withResponses()), "r-fixture-2")
                .withChunk(0, true).ready().admitted().retryPending().admitted());
        // version 1's builds kept a finished run's config (today's finished() drops it): built as they wrote it
        states.put("finished", new SessionState(SessionState.encode(UpgradeFixtures.telephony()), "r-fixture-3",
                Status.FINISHED, 1, 0, 0, 1, 1_700_000_000_500L, 1_700_000_000_900L, 1, 1_700_000_000_500L, 1, 0));
        states.put("expired", SessionState.empty().touched(5, 7).expired());
        return states;
    }

    private static Properties fixtures(String version) throws IOException {
        Properties fixtures = new Properties();
        try (InputStream in = SessionStateSerdeTest.class.getResourceAsStream("/fixtures/" + version
                + "/session-state.properties")) {
            fixtures.load(in);
        }
        return fixtures;
    }

    @Test
    void everyStateVersion1WroteIsReadAsItWas() throws IOException {
        Properties v1 = fixtures("v1");
        captured().forEach((name, expected) -> {
            SessionState read = serde.deserializer().deserialize("t", HexFormat.of().parseHex(v1.getProperty(name)));
            assertEquals(expected.status(), read.status(), name);
            assertEquals(expected.runToken(), read.runToken(), name);
            assertEquals(expected.attempt(), read.attempt(), name);
            assertEquals(expected.chunks(), read.chunks(), name);
            assertEquals(expected.endSeq(), read.endSeq(), name);
            assertEquals(expected.duplicates(), read.duplicates(), name);
            assertEquals(expected.lastRecordTimestamp(), read.lastRecordTimestamp(), name);
            assertEquals(expected.lastTouchedWallMs(), read.lastTouchedWallMs(), name);
            assertEquals(expected.sessionConfig(), read.sessionConfig(), name);
            assertEquals(expected.lastRecordTimestamp(), read.runStartTimestamp(), name + ": the run start, unknown "
                    + "to version 1, is read as the last input's time");
        });
    }

    @Test
    void everyStateVersion3WroteIsReadAsItWas() throws IOException {
        Properties v3 = fixtures("v3");
        captured().forEach((name, expected) -> {
            SessionState read = serde.deserializer().deserialize("t", HexFormat.of().parseHex(v3.getProperty(name)));
            assertEquals(expected.status(), read.status(), name);
            assertEquals(expected.runToken(), read.runToken(), name);
            assertEquals(expected.attempt(), read.attempt(), name);
            assertEquals(expected.runStartTimestamp(), read.runStartTimestamp(), name);
            assertEquals(expected.attempt(), read.connections(), name + ": connections, unknown to version 3, are "
                    + "read as the attempts made");
            assertEquals(0, read.crashLoop(), name);
        });
    }

    @Test
    void everyStateVersion2WroteIsReadAsItWas() throws IOException {
        Properties v2 = fixtures("v2");
        captured().forEach((name, expected) -> {
            SessionState read = serde.deserializer().deserialize("t", HexFormat.of().parseHex(v2.getProperty(name)));
            assertEquals(expected.status(), read.status(), name);
            assertEquals(expected.runToken(), read.runToken(), name);
            assertEquals(expected.attempt(), read.attempt(), name);
            assertEquals(expected.chunks(), read.chunks(), name);
            assertEquals(expected.duplicates(), read.duplicates(), name);
            assertEquals(expected.lastRecordTimestamp(), read.lastRecordTimestamp(), name);
            assertEquals(expected.lastRecordTimestamp(), read.runStartTimestamp(), name);
            if (!name.equals("finished")) { // version 2 was captured after finished runs stopped keeping their config
                assertEquals(expected.sessionConfig(), read.sessionConfig(), name);
            }
        });
    }

    @Test
    void theCurrentVersionRoundTripsEveryStatus() {
        for (SessionState state : captured().values()) {
            byte[] bytes = serde.serializer().serialize("t", state);
            assertEquals(4, bytes[0], "written as version 4");
            SessionState read = serde.deserializer().deserialize("t", bytes);
            assertEquals(state.status(), read.status());
            assertArrayEquals(state.config(), read.config());
            assertEquals(state.attempt(), read.attempt());
            assertEquals(state.runStartTimestamp(), read.runStartTimestamp());
            assertEquals(state.connections(), read.connections());
            assertEquals(state.crashLoop(), read.crashLoop());
        }
    }

    @Test
    void theStatusIsStoredByNameSoReorderingTheEnumCannotChangeStoredState() {
        SessionState inFlight = captured().get("in-flight");
        String bytes = new String(serde.serializer().serialize("t", inFlight), StandardCharsets.ISO_8859_1);
        assertTrue(bytes.contains(Status.IN_FLIGHT.name()), "the status name is in the bytes");
    }

    @Test
    void aVersionFromTheFutureIsRefusedWithAClearMessage() {
        byte[] bytes = serde.serializer().serialize("t", SessionState.empty());
        bytes[0] = 9;
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> serde.deserializer().deserialize("t", bytes));
        assertTrue(refused.getMessage().contains("version 9"), refused.getMessage());
    }
}
