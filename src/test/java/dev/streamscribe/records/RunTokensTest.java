package dev.streamscribe.records;

import dev.streamscribe.avro.NoiseReduction;
import dev.streamscribe.avro.SessionConfig;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Run tokens: fixed configs map to fixed tokens forever, and a compatible schema change changes none. */
class RunTokensTest {
    @Test
    void fixedConfigsKeepTheirVersion2TokensForever() {
        // Golden values: if one of these changes, every finished run of that shape would be paid for again.
        assertEquals(List.of(GOLDEN_1, GOLDEN_2, GOLDEN_3),
                UpgradeFixtures.all().stream().map(RunTokens::of).toList());
    }

    @Test
    void theEarlierTokenFunctionStillGivesTheTokensItGaveBefore() throws IOException {
        Properties captured = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/fixtures/v1/run-tokens.properties")) {
            captured.load(in);
        }
        for (SessionConfig config : UpgradeFixtures.all()) {
            assertEquals(captured.getProperty(config.getSessionId()), RunTokens.legacy(config), config.getSessionId());
        }
    }

    @Test
    void aLiveStartIsAnotherRequestAndOneTheEarlierTokenFunctionNeverSaw() {
        SessionConfig batch = UpgradeFixtures.withResponses();
        SessionConfig live = SessionConfig.newBuilder(batch).setStart(dev.streamscribe.avro.StartPolicy.AT_FIRST_TURN)
                .build();
        assertNotEquals(RunTokens.of(batch), RunTokens.of(live));
        assertEquals(RunTokens.of(live), RunTokens.legacy(live), "no version 1 token can name a live run");
        assertNotEquals(RunTokens.legacy(batch), RunTokens.legacy(live));
    }

    @Test
    void aRunFinishedUnderEitherTokenOfTheSameRequestIsTheSameRun() {
        SessionConfig config = UpgradeFixtures.withResponses();
        List<String> both = List.of(RunTokens.of(config), RunTokens.legacy(config));
        assertEquals(both, RunTokens.equivalents(RunTokens.of(config), config));
        assertEquals(both, RunTokens.equivalents(RunTokens.legacy(config), config));
        assertEquals(List.of("r-replay~1"), RunTokens.equivalents("r-replay~1", config), "a caller's own token is only itself");
    }

    @Test
    void aTokenNamesTheSameRunAsItselfAndAsItsEquivalentsButNeverAsNoRun() {
        SessionConfig config = UpgradeFixtures.withResponses();
        assertTrue(RunTokens.sameRun(RunTokens.of(config), config, RunTokens.legacy(config)));
        assertTrue(RunTokens.sameRun("r-replay~1", config, "r-replay~1"));
        assertFalse(RunTokens.sameRun("r-replay~1", config, RunTokens.of(config)));
        assertFalse(RunTokens.sameRun(RunTokens.of(config), config, ""), "an empty token is a state without a run");
    }

    @Test
    void aDerivedTokenOfAnotherRequestIsOnlyItself() {
        SessionConfig config = UpgradeFixtures.withResponses();
        SessionConfig other = SessionConfig.newBuilder(config).setStart(dev.streamscribe.avro.StartPolicy.AT_FIRST_TURN)
                .build();
        assertEquals(List.of(RunTokens.of(other)), RunTokens.equivalents(RunTokens.of(other), config));
        assertEquals(List.of(RunTokens.legacy(config).toUpperCase(java.util.Locale.ROOT)),
                RunTokens.equivalents(RunTokens.legacy(config).toUpperCase(java.util.Locale.ROOT), config),
                "the functions write lower-case hex: an upper-case look-alike is a caller's own token");
    }

    @Test
    void addingAnOptionalFieldWithADefaultKeepsEveryToken() {
        Schema current = SessionConfig.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        current.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        fields.add(new Schema.Field("priority", Schema.create(Schema.Type.INT), "a field a later version might add", 0));
        Schema extended = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
        for (SessionConfig config : UpgradeFixtures.all()) {
            GenericRecord newer = new GenericData.Record(extended);
            for (Schema.Field field : current.getFields()) {
                newer.put(field.name(), config.get(field.pos()));
            }
            newer.put("priority", 0);
            assertEquals(RunTokens.canonicalForm(config), RunTokens.canonicalForm(newer), config.getSessionId());
            newer.put("priority", 5);
            assertNotEquals(RunTokens.canonicalForm(config), RunTokens.canonicalForm(newer),
                    "a value other than the default is part of the request");
        }
    }

    @Test
    void whatOnlyDescribesTheRunDoesNotCount() {
        SessionConfig config = UpgradeFixtures.transcriptionOnly();
        SessionConfig described = SessionConfig.newBuilder(config).setSessionId("other").setRunToken("x")
                .setMetadata(Map.of("source", "b.wav", "job", "9")).setCreatedAtMs(1).build();
        assertEquals(RunTokens.of(config), RunTokens.of(described));
    }

    @Test
    void aFieldSetToItsDefaultIsTheSameRequestAsOneLeftOut() {
        SessionConfig config = UpgradeFixtures.transcriptionOnly();
        SessionConfig explicit = SessionConfig.newBuilder(config).setNoiseReduction(NoiseReduction.NONE).build();
        assertEquals(RunTokens.of(config), RunTokens.of(explicit));
    }

    @Test
    void aChangedRequestIsANewRun() {
        SessionConfig config = UpgradeFixtures.telephony();
        SessionConfig otherPrompt = SessionConfig.newBuilder(config).build();
        otherPrompt.getTranscription().setPrompt("Kafka, Avro, Streams");
        assertNotEquals(RunTokens.of(config), RunTokens.of(otherPrompt));
    }

    @Test
    void theCanonicalFormIsSortedAndLeavesDefaultsOut() {
        assertEquals(RunTokens.CANONICAL_HEADER + "{\"transcription\":{\"language\":\"en\",\"model\":\"gpt-4o-transcribe\"}}",
                RunTokens.canonicalForm(UpgradeFixtures.transcriptionOnly()));
    }

    /** Taken when version 2 was introduced (2026-12-07); never to be updated. */
    private static final String GOLDEN_1 = "r2-c8c914c03a1e2bd1";
    private static final String GOLDEN_2 = "r2-77b5ad1fd9833602";
    private static final String GOLDEN_3 = "r2-83d0834c907fa112";
}
