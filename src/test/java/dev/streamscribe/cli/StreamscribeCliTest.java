package dev.streamscribe.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamscribeCliTest {
    private static final Path DEFAULT_FILE = Path.of(System.getProperty("streamscribe.project.dir", "."))
            .resolve("topologies/transcribe.properties");

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = StreamscribeCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void shouldPrintUsageWithExamplesOnHelp() {
        Run run = run("--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("Usage: streamscribe") && run.out().contains("Examples:"), run.out());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"demo", "ingest", "run", "status", "export", "replay",
            "reset", "check-config", "describe", "serve-realtime", "serve-kafka", "bench"})
    void shouldPrintEveryCommandsHelpWithExamplesAndExitZero(String command) {
        Run run = run(command, "--help");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("Usage: streamscribe " + command), run.out());
        assertTrue(run.out().contains("Example"), run.out());
    }

    @Test
    void shouldValidateTheShippedConfiguration() {
        Run run = run("check-config", "--config", DEFAULT_FILE.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("streamscribe.audio-chunks"), run.out());
        assertTrue(run.out().contains("environment variable OPENAI_API_KEY"), run.out());
    }

    @Test
    void shouldExitWithCode2AndNameTheKeyOnABadValue() {
        Run run = run("check-config", "--config", DEFAULT_FILE.toString(), "--set", "realtime.dialect=azure");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("configuration error") && run.err().contains("realtime.dialect"), run.err());
    }
}
