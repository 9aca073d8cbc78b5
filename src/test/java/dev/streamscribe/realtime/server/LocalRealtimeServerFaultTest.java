package dev.streamscribe.realtime.server;

import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.driver.DriverSettings;
import dev.streamscribe.realtime.driver.FailureClass;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.testing.TestConfigs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Every fault the plan can inject yields the driver's documented classification (README, ErrorClassifier). */
class LocalRealtimeServerFaultTest {
    private static ServerFixture withFaults(FaultPlan plan) {
        return new ServerFixture(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine())
                .withFaults(FaultPlans.everywhere(plan)));
    }

    private static SessionOutcome.Failed failed(SessionOutcome outcome) {
        return assertInstanceOf(SessionOutcome.Failed.class, outcome, () -> "expected a failure, got " + outcome);
    }

    private static SessionOutcome.Completed completed(SessionOutcome outcome) {
        if (outcome instanceof SessionOutcome.Failed failed) {
            throw new AssertionError("session failed: " + failed.classification());
        }
        return (SessionOutcome.Completed) outcome;
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldSeeAnAbnormalCloseMidAppendAsTransient(Dialect dialect) {
        // OpenAI sends session.created and session.updated; Inworld only session.updated: then the socket drops
        try (ServerFixture f = withFaults(FaultPlan.NONE.withCloseAfterEvents(dialect == Dialect.INWORLD ? 1 : 2))) {
            SessionOutcome.Failed outcome = failed(f.run(dialect, TestConfigs.transcription(dialect, "s"), 3_000));
            assertEquals(FailureClass.TRANSIENT, outcome.classification().failureClass());
            assertEquals("ABNORMAL_CLOSE", outcome.classification().reason());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldSeeAnAbnormalCloseMidResponseAsTransient(Dialect dialect) {
        // no transcription, so the count is exact: up to response.output_item.added, then the socket drops
        var config = TestConfigs.withResponses(dialect, "s");
        config.setTranscription(null);
        int events = switch (dialect) {
            case OPENAI_GA -> 8;   // created, updated, committed, item.added, item.done, rate_limits, response.created, output_item.added
            case OPENAI_BETA -> 7; // created, updated, committed, item.created, rate_limits, response.created, output_item.added
            case INWORLD -> 7;     // as GA without session.created
        };
        try (ServerFixture f = withFaults(FaultPlan.NONE.withCloseAfterEvents(events))) {
            SessionOutcome.Failed outcome = failed(f.run(dialect, config, 500));
            assertEquals("ABNORMAL_CLOSE", outcome.classification().reason());
        }
    }

    @ParameterizedTest
    @CsvSource({"RATE_LIMIT_EXCEEDED,RATE_LIMITED,true", "SERVER_ERROR,PROVIDER_SERVER_ERROR,false",
            "SESSION_EXPIRED,SESSION_EXPIRED,false"})
    void shouldClassifyInjectedProviderErrorsAsTransient(FaultPlan.InjectedError error, String reason, boolean rateLimited) {
        for (Dialect dialect : Dialect.values()) {
            try (ServerFixture f = withFaults(FaultPlan.NONE.withInjectedError(error, 2))) {
                SessionOutcome.Failed outcome = failed(f.run(dialect, TestConfigs.transcription(dialect, "s"), 500, 500));
                assertEquals(FailureClass.TRANSIENT, outcome.classification().failureClass(), dialect.id());
                assertEquals(reason, outcome.classification().reason(), dialect.id());
                assertEquals(rateLimited, outcome.classification().rateLimited(), dialect.id());
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"401,PERMANENT", "403,PERMANENT", "429,TRANSIENT", "503,TRANSIENT"})
    void shouldClassifyARefusedUpgrade(int status, FailureClass expected) {
        try (ServerFixture f = withFaults(FaultPlan.NONE.withRefuseUpgradeStatus(status))) {
            SessionOutcome.Failed outcome = failed(f.run(Dialect.OPENAI_GA, TestConfigs.transcription(Dialect.OPENAI_GA, "s"), 500));
            assertEquals(expected, outcome.classification().failureClass());
            assertEquals("UPGRADE_REFUSED_" + status, outcome.classification().reason());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldCompleteDespiteDelayedEvents(Dialect dialect) {
        try (ServerFixture f = withFaults(FaultPlan.NONE.withEventDelay(Duration.ofMillis(5)))) {
            long[] turns = {400, 400};
            SessionOutcome.Completed outcome = completed(f.run(dialect, TestConfigs.withResponses(dialect, "s"), turns));
            assertEquals(ServerFixture.expectedTranscript(1, 400), outcome.turns().get(1).transcript());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldCompleteWhenTranscriptionsFinishAfterResponseDone(Dialect dialect) {
        try (ServerFixture f = withFaults(FaultPlan.NONE.withTranscriptionAfterResponseDone())) {
            long[] turns = {600, 700};
            SessionOutcome.Completed outcome = completed(f.run(dialect, TestConfigs.withResponses(dialect, "s"), turns));
            assertEquals(ServerFixture.expectedTranscript(0, 600), outcome.turns().get(0).transcript());
            assertEquals(ServerFixture.expectedTranscript(1, 700), outcome.turns().get(1).transcript());
            assertEquals(2, outcome.responses().size());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldCompleteWithoutSessionCreated(Dialect dialect) {
        try (ServerFixture f = withFaults(FaultPlan.NONE.withoutSessionCreated())) {
            completed(f.run(dialect, TestConfigs.transcription(dialect, "s"), 500));
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldTimeOutAStalledServer(Dialect dialect) {
        try (ServerFixture f = withFaults(FaultPlan.NONE.withStallAfterEvents(dialect == Dialect.INWORLD ? 1 : 2))) {
            f.settings = new DriverSettings(Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(55));
            SessionOutcome.Failed outcome = failed(f.run(dialect, TestConfigs.transcription(dialect, "s"), 500));
            assertEquals(FailureClass.TRANSIENT, outcome.classification().failureClass());
            assertEquals("COMMIT_TIMEOUT", outcome.classification().reason());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldFailOnlyTheFirstConnectionWhenThePlanSaysSo(Dialect dialect) {
        try (ServerFixture f = new ServerFixture(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine())
                .withFaults(FaultPlans.forConnection(1, FaultPlan.NONE.withRefuseUpgradeStatus(503))))) {
            failed(f.run(dialect, TestConfigs.transcription(dialect, "s"), 500));
            completed(f.run(dialect, TestConfigs.transcription(dialect, "s"), 500));
            assertEquals(2, f.server.connectionsAccepted());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shouldEndSessionsAtTheirMaximumDuration(Dialect dialect) {
        // a response that takes longer than the session may live
        try (ServerFixture f = new ServerFixture(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine())
                .withResponseDuration(Duration.ofSeconds(5)).withMaxSessionDuration(Duration.ofMillis(300)))) {
            SessionOutcome.Failed outcome = failed(f.run(dialect, TestConfigs.withResponses(dialect, "s"), 500));
            assertEquals("SESSION_EXPIRED", outcome.classification().reason(), outcome.classification().toString());
        }
    }
}
