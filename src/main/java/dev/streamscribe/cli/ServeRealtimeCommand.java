package dev.streamscribe.cli;

import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DelayedSpeechEngine;
import dev.streamscribe.realtime.server.Engines;
import dev.streamscribe.realtime.server.FaultPlans;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.realtime.server.TlsIdentity;
import dev.streamscribe.realtime.server.SpeechEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** Runs the local realtime server until interrupted. */
@Command(name = "serve-realtime",
        header = "Run the local, protocol-faithful realtime server.",
        description = "Run streamscribe's own realtime server: the OpenAI Realtime (GA and beta) and Inworld protocols "
                + "at the providers' URL paths, so the pipeline runs fully offline. Costs nothing and calls no "
                + "provider. Stop it with Ctrl-C.",
        footer = {"", "Endpoints:",
                "  ws://HOST:PORT/v1/realtime                openai-ga; openai-beta with header OpenAI-Beta: realtime=v1",
                "  ws://HOST:PORT/api/v1/realtime/session    inworld (?key=...&protocol=realtime)",
                "", "Examples:",
                "  streamscribe serve-realtime --port 8765",
                "  streamscribe serve-realtime --port 8765 --dialect inworld --fault-plan faults.json"})
final class ServeRealtimeCommand implements Callable<Integer> {
    /** Engine names --engine accepts. */
    enum EngineChoice { auto, pocketsphinx, deterministic }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "Serve wss:// with the key and certificate "
            + "in this PKCS12 (or --tls-keystore-type JKS) key store instead of ws://.")
    Path tlsKeyStore;

    @Option(names = "--tls-keystore-type", defaultValue = "PKCS12", description = "PKCS12 or JKS (default: ${DEFAULT-VALUE}).")
    String tlsKeyStoreType;

    @Option(names = "--tls-keystore-password-env", paramLabel = "VAR", defaultValue = "STREAMSCRIBE_TLS_KEYSTORE_PASSWORD",
            description = "Environment variable holding the key store's password (default: ${DEFAULT-VALUE}); a "
                    + "password never goes on the command line.")
    String tlsPasswordEnv;

    private java.util.Optional<TlsIdentity> tlsIdentity() {
        if (tlsKeyStore == null) {
            return java.util.Optional.empty();
        }
        String password = System.getenv(tlsPasswordEnv);
        if (password == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tls-keystore needs its password in the "
                    + "environment variable " + tlsPasswordEnv + ", which is not set");
        }
        return java.util.Optional.of(new TlsIdentity(tlsKeyStore, tlsKeyStoreType, password));
    }

    @Option(names = "--port", defaultValue = "8765", description = "Port to listen on (0 = any free port; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to bind (default ${DEFAULT-VALUE}: this machine only).")
    String host;

    @Option(names = "--dialect", description = "Serve only this dialect: openai-ga, openai-beta or inworld (default: all).")
    String dialect;

    @Option(names = "--engine", defaultValue = "auto",
            description = "Speech engine: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}). 'pocketsphinx' is real "
                    + "offline English recognition (apt-get install pocketsphinx pocketsphinx-en-us); 'deterministic' "
                    + "derives each transcript from the audio bytes (duration and CRC-32): reproducible, not speech "
                    + "recognition; 'auto' picks pocketsphinx when it is installed.")
    EngineChoice engine;

    @Option(names = "--ready-file", paramLabel = "FILE",
            description = "Once listening, write the port and each dialect's URL there (a properties file), for scripts.")
    Path readyFile;

    @Option(names = "--fault-plan", description = "JSON file of faults to inject (see README: Local realtime server).")
    Path faultPlan;

    @Option(names = "--response-duration-ms", defaultValue = "50",
            description = "How long each response stays active before it completes (default ${DEFAULT-VALUE}).")
    long responseDurationMs;

    @Option(names = "--transcription-delay-ms", defaultValue = "0",
            description = "Hold every transcript back this long after its commit, like a slow provider (default "
                    + "${DEFAULT-VALUE}; used by 'bench').")
    long transcriptionDelayMs;

    @Override
    public Integer call() throws InterruptedException {
        Set<Dialect> dialects = dialect == null ? EnumSet.allOf(Dialect.class) : Set.of(Dialect.fromId(dialect)
                .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                        "unknown --dialect '" + dialect + "'; allowed: " + Dialect.allowed())));
        SpeechEngine selected = Engines.select(engine.name(), Runtime.getRuntime().availableProcessors());
        SpeechEngine speech = transcriptionDelayMs > 0
                ? new DelayedSpeechEngine(selected, Duration.ofMillis(transcriptionDelayMs)) : selected;
        FaultPlans faults = faultPlan == null ? FaultPlans.NONE : FaultPlans.read(faultPlan);
        LocalRealtimeServer.Options options = LocalRealtimeServer.Options.defaults(speech)
                .withPort(port).withDialects(dialects).withFaults(faults)
                .withResponseDuration(Duration.ofMillis(responseDurationMs));
        options = new LocalRealtimeServer.Options(host, options.port(), options.dialects(), options.engine(),
                options.responses(), options.faults(), options.responseDuration(), options.maxSessionDuration(),
                tlsIdentity(), false);
        ShutdownLatch shutdown = new ShutdownLatch(60);
        try (speech; LocalRealtimeServer server = LocalRealtimeServer.start(options)) {
            var out = spec.commandLine().getOut();
            out.println("streamscribe local realtime server listening on " + host + ":" + server.port());
            dialects.stream().sorted().forEach(d -> out.println("  " + d.id() + ": " + server.url(d)));
            out.println("speech engine: " + speech.name() + (engine == EngineChoice.auto ? " (auto: "
                    + (selected.name().equals("pocketsphinx") ? "pocketsphinx is installed)"
                    : "pocketsphinx is not installed; apt-get install pocketsphinx pocketsphinx-en-us for real recognition)") : ""));
            out.flush();
            if (readyFile != null) {
                Map<String, String> facts = new LinkedHashMap<>();
                facts.put("port", Integer.toString(server.port()));
                dialects.forEach(d -> facts.put("url." + d.id(), server.url(d).toString()));
                ReadyFile.write(readyFile, facts);
            }
            shutdown.awaitStop();
        } catch (RuntimeException e) {
            shutdown.closed(1);
            throw e;
        }
        shutdown.closed(0);
        return 0;
    }
}
