package dev.streamscribe.embedded;

import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.Engines;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.realtime.server.SpeechEngine;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Everything a pipeline needs on one machine with no Docker and no network: the in-JVM KRaft broker, the Apicurio
 * registry (a child process) and, unless a real provider is used, streamscribe's own realtime server. What
 * {@code demo} runs on; each part says how long it took to start.
 *
 * <p>Threading: start and close from one thread.
 */
public final class LocalStack implements AutoCloseable {
    private final EmbeddedKafkaBroker broker;
    private final ApicurioRegistry registry;
    private final Optional<LocalRealtimeServer> server;
    private final Optional<SpeechEngine> engine;

    private LocalStack(EmbeddedKafkaBroker broker, ApicurioRegistry registry, Optional<LocalRealtimeServer> server,
                       Optional<SpeechEngine> engine) {
        this.broker = broker;
        this.registry = registry;
        this.server = server;
        this.engine = engine;
    }

    /**
     * @param dataDir     where the broker keeps its log (deleted by the caller)
     * @param speechEngine engine of the local realtime server ({@code auto}, {@code pocketsphinx},
     *                    {@code deterministic}), or empty to start no server (a real provider is used)
     * @param progress    told what is starting and when it is ready
     */
    public static LocalStack start(Path dataDir, Optional<String> speechEngine, Consumer<String> progress) {
        EmbeddedKafkaBroker broker = null;
        ApicurioRegistry registry = null;
        SpeechEngine engine = null;
        try {
            long t0 = System.nanoTime();
            broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.at(dataDir.resolve("kafka")));
            progress.accept("Kafka broker (KRaft, in this JVM) at " + broker.bootstrapServers() + ", ready in " + since(t0));
            long t1 = System.nanoTime();
            registry = ApicurioRegistry.start(ApicurioRegistry.Options.defaults()
                    .withLogFile(dataDir.resolve("apicurio-registry.log")));
            progress.accept("Apicurio schema registry at " + registry.url() + ", ready in " + since(t1));
            Optional<LocalRealtimeServer> server = Optional.empty();
            if (speechEngine.isPresent()) {
                engine = Engines.select(speechEngine.get(), Math.max(1, Runtime.getRuntime().availableProcessors()));
                server = Optional.of(LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(engine)));
                progress.accept("local realtime server at " + server.get().url(Dialect.OPENAI_GA) + ", speech engine "
                        + engine.name());
            }
            return new LocalStack(broker, registry, server, Optional.ofNullable(engine));
        } catch (RuntimeException e) {
            closeQuietly(engine);
            closeQuietly(registry);
            closeQuietly(broker);
            throw e;
        }
    }

    private static String since(long startNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - startNanos) / 1e9);
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The registry's Confluent-compatible API. */
    public String registryUrl() {
        return registry.url();
    }

    /** The local realtime server's URL for {@code dialect}, when one runs. */
    public Optional<URI> realtimeUrl(Dialect dialect) {
        return server.map(s -> s.url(dialect));
    }

    /** Name of the local server's speech engine, when one runs. */
    public Optional<String> engineName() {
        return engine.map(SpeechEngine::name);
    }

    @Override
    public void close() {
        server.ifPresent(LocalStack::closeQuietly);
        engine.ifPresent(LocalStack::closeQuietly);
        closeQuietly(registry);
        closeQuietly(broker);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LoggerFactory.getLogger(LocalStack.class).warn("closing {} failed: {}", closeable, e.toString());
        }
    }
}
