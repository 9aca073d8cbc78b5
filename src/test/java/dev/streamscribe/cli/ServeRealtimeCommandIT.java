package dev.streamscribe.cli;

import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.RealtimeEndpoint;
import dev.streamscribe.realtime.driver.DriverSettings;
import dev.streamscribe.realtime.driver.RealtimeSessionDriver;
import dev.streamscribe.realtime.driver.SessionOutcome;
import dev.streamscribe.realtime.server.PocketsphinxEngine;
import dev.streamscribe.realtime.transport.JettyWebSocketTransport;
import dev.streamscribe.testing.ListAudioPublisher;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code streamscribe serve-realtime} as an operator runs it: its own process, stopped with SIGTERM. */
class ServeRealtimeCommandIT {
    private static Process launch(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                StreamscribeCli.class.getName(), "serve-realtime"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(false).start();
    }

    @Test
    void shouldServeSessionsUntilTerminated() throws Exception {
        Process process = launch("--port", "0", "--engine", "deterministic");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            Matcher matcher = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)").matcher(first == null ? "" : first);
            assertTrue(matcher.find(), "first line: " + first);
            int port = Integer.parseInt(matcher.group(1));
            try (var transport = new JettyWebSocketTransport(Duration.ofSeconds(5), 1 << 24)) {
                var driver = new RealtimeSessionDriver(new RealtimeEndpoint(Dialect.OPENAI_GA,
                        URI.create("ws://127.0.0.1:" + port + "/v1/realtime"), Optional.empty()), transport,
                        DriverSettings.defaults(), Executors.newFixedThreadPool(2), Executors.newSingleThreadScheduledExecutor());
                SessionOutcome outcome = driver.run(TestAudio.request(TestConfigs.transcription(Dialect.OPENAI_GA, "cli"), 700),
                        new ListAudioPublisher(TestAudio.pieces(24_000, 700))).get(30, TimeUnit.SECONDS);
                assertInstanceOf(SessionOutcome.Completed.class, outcome, outcome::toString);
            }
            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "serve-realtime stops on SIGTERM");
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void shouldSayWhichEngineAutoPicked() throws Exception {
        Process process = launch("--port", "0");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String banner = "";
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                banner += line + "\n";
                if (line.startsWith("speech engine:")) {
                    break;
                }
            }
            String expected = PocketsphinxEngine.locate().isPresent()
                    ? "speech engine: pocketsphinx (auto: pocketsphinx is installed)"
                    : "speech engine: deterministic (auto: pocketsphinx is not installed";
            assertTrue(banner.contains(expected), banner);
        } finally {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldRefuseAnUnknownDialectWithAClearMessage() throws Exception {
        Process process = launch("--port", "0", "--dialect", "azure");
        assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, process.exitValue(), err);
        assertTrue(err.contains("unknown --dialect 'azure'; allowed: openai-ga, openai-beta, inworld"), err);
    }
}
