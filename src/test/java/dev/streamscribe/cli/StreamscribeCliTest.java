package dev.streamscribe.cli;

import dev.streamscribe.metrics.InstanceStatus;
import dev.streamscribe.testing.Cli;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamscribeCliTest {
    private static final Path DEFAULT_FILE = Path.of(System.getProperty("streamscribe.project.dir", "."))
            .resolve("topologies/transcribe.properties");

    private static Cli.Result run(String... args) {
        return Cli.run(args);
    }

    @Test
    void shouldPrintUsageWithExamplesOnHelp() {
        Cli.Result run = run("--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("Usage: streamscribe") && run.out().contains("Examples:"), run.out());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"demo", "ingest", "run", "status", "export", "replay",
            "reset", "leave-group", "check-config", "describe", "serve-realtime", "serve-kafka", "bench"})
    void shouldPrintEveryCommandsHelpWithExamplesAndExitZero(String command) {
        Cli.Result run = run(command, "--help");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("Usage: streamscribe " + command), run.out());
        assertTrue(run.out().contains("Example"), run.out());
    }

    @Test
    void shouldValidateTheShippedConfiguration() {
        Cli.Result run = run("check-config", "--config", DEFAULT_FILE.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("streamscribe.audio-chunks"), run.out());
        assertTrue(run.out().contains("environment variable OPENAI_API_KEY"), run.out());
    }

    @Test
    void checkConfigShowsReferencesUnresolvedAndLiteralPasswordsHidden(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        java.nio.file.Files.writeString(dir.resolve("jaas"), "ScramLoginModule required password=\"jaas-secret\";");
        Cli.Result run = run("check-config", "--config", DEFAULT_FILE.toString(),
                "--set", "kafka.sasl.jaas.config=${dir:" + dir + ":jaas}",
                "--set", "kafka.ssl.truststore.password=truststore-secret");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("kafka.sasl.jaas.config = ${dir:" + dir + ":jaas}"), run.out());
        assertTrue(run.out().contains("kafka.ssl.truststore.password = [hidden]"), run.out());
        assertTrue(!run.out().contains("jaas-secret") && !run.out().contains("truststore-secret"), run.out());
    }

    @Test
    void shouldExitWithCode2AndNameTheKeyOnABadValue() {
        Cli.Result run = run("check-config", "--config", DEFAULT_FILE.toString(), "--set", "realtime.dialect=azure");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("configuration error") && run.err().contains("realtime.dialect"), run.err());
    }

    @Test
    void statusSaysAtOnceThatTheRegistryIsUnreachableInsteadOfWaitingOnEveryRecord() {
        Cli.Result status = run("status", "--config", DEFAULT_FILE.toString(), "--set", "schema.registry.url=http://127.0.0.1:1",
                "--set", "bootstrap.servers=127.0.0.1:1");
        assertEquals(1, status.exitCode(), status.toString());
        assertTrue(status.out().contains("registry     unreachable: schema registry http://127.0.0.1:1 is unreachable"),
                status.out());
    }

    @Test
    void statusShowsWhatEachInstanceIsWaitingForAndWhichHaveGoneSilent() {
        var text = new StringWriter();
        StatusCommand.printInstances(new PrintWriter(text, true), List.of(
                new InstanceStatus("worker-1", "RUNNING", List.of("schema registry unavailable for 42 s"), 100_000),
                new InstanceStatus("worker-2", "RUNNING", List.of(), 10_000)), 104_000);
        assertEquals("""
                instance     worker-1 RUNNING (reported 4 s ago)
                             schema registry unavailable for 42 s
                instance     worker-2 RUNNING (reported 94 s ago; silent since: stopped without saying so?)
                """, text.toString());
    }
}
