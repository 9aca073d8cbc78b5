package dev.streamscribe.realtime.server;

import dev.streamscribe.realtime.Dialect;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * streamscribe's own realtime server: the OpenAI Realtime protocol (GA and beta) and Inworld's, at the
 * providers' URL paths, with a pluggable {@link SpeechEngine} and a {@link FaultPlans fault plan}. It lets the
 * pipeline run fully offline ({@code streamscribe serve-realtime}) and is the peer every integration test uses.
 *
 * <ul>
 *   <li>{@code /v1/realtime}: OpenAI GA; beta when the upgrade carries {@code OpenAI-Beta: realtime=v1};
 *       {@code ?intent=transcription} opens a GA transcription session, {@code ?model=M} a conversation.</li>
 *   <li>{@code /api/v1/realtime/session?key=K&protocol=realtime}: Inworld.</li>
 * </ul>
 * Authorization headers are accepted and ignored: the server holds no keys.
 *
 * <p>Threading: Jetty's threads accept connections and deliver frames; each connection's protocol runs on its
 * own serial executor over a shared pool; engines run on their own threads.
 */
public final class LocalRealtimeServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalRealtimeServer.class);
    public static final String OPENAI_PATH = "/v1/realtime";
    public static final String INWORLD_PATH = "/api/v1/realtime/session";
    /** OpenAI's documented per-event limit. */
    public static final int MAX_EVENT_BYTES = 15 * 1024 * 1024;

    /**
     * @param host               address to bind; 127.0.0.1 unless told otherwise
     * @param port               0 = any free port
     * @param dialects           the dialects served; others are refused with 404
     * @param responseDuration   how long a response stays active before its deltas and response.done
     * @param maxSessionDuration sessions end with {@code session_expired} after this (providers: 60 minutes)
     * @param tls                serve wss:// with this identity instead of ws:// (tests of the driver's TLS)
     * @param keepCommittedAudio keep a digest of every distinct audio committed ({@link LocalRealtimeServer#committedAudio}): for tests
     *                           that tell audio received twice from audio received once. Off by default: it costs a
     *                           SHA-256 of every commit (5 % of the server's CPU in the bench) and an entry per
     *                           distinct turn for as long as the server runs
     */
    public record Options(String host, int port, Set<Dialect> dialects, SpeechEngine engine, ResponseEngine responses,
                          FaultPlans faults, Duration responseDuration, Duration maxSessionDuration,
                          Optional<TlsIdentity> tls, boolean keepCommittedAudio) {
        public Options {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(tls, "tls");
            dialects = Set.copyOf(dialects);
            Objects.requireNonNull(engine, "engine");
            Objects.requireNonNull(responses, "responses");
            Objects.requireNonNull(faults, "faults");
            if (dialects.isEmpty()) {
                throw new IllegalArgumentException("serve at least one dialect");
            }
        }

        public static Options defaults(SpeechEngine engine) {
            return new Options("127.0.0.1", 0, EnumSet.allOf(Dialect.class), engine, ResponseEngine.describing(),
                    FaultPlans.NONE, Duration.ofMillis(50), Duration.ofMinutes(60), Optional.empty(), false);
        }

        public Options withPort(int value) {
            return new Options(host, value, dialects, engine, responses, faults, responseDuration, maxSessionDuration, tls,
                    keepCommittedAudio);
        }

        public Options withResponses(ResponseEngine value) {
            return new Options(host, port, dialects, engine, value, faults, responseDuration, maxSessionDuration, tls,
                    keepCommittedAudio);
        }

        public Options withDialects(Set<Dialect> value) {
            return new Options(host, port, value, engine, responses, faults, responseDuration, maxSessionDuration, tls,
                    keepCommittedAudio);
        }

        public Options withFaults(FaultPlans value) {
            return new Options(host, port, dialects, engine, responses, value, responseDuration, maxSessionDuration, tls,
                    keepCommittedAudio);
        }

        public Options withResponseDuration(Duration value) {
            return new Options(host, port, dialects, engine, responses, faults, value, maxSessionDuration, tls,
                    keepCommittedAudio);
        }

        public Options withMaxSessionDuration(Duration value) {
            return new Options(host, port, dialects, engine, responses, faults, responseDuration, value, tls,
                    keepCommittedAudio);
        }

        /** The server keeps what {@link LocalRealtimeServer#committedAudio} reports (tests only). */
        public Options withCommittedAudioKept() {
            return new Options(host, port, dialects, engine, responses, faults, responseDuration, maxSessionDuration, tls,
                    true);
        }

        public Options withTls(TlsIdentity value) {
            return new Options(host, port, dialects, engine, responses, faults, responseDuration, maxSessionDuration,
                    Optional.of(value), keepCommittedAudio);
        }
    }

    private final Server server;
    private final Options options;
    private final ExecutorService executor;
    private final ScheduledExecutorService timer;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger openSessions = new AtomicInteger();
    private final AtomicInteger commits = new AtomicInteger();
    private final AtomicInteger itemsCreated = new AtomicInteger();
    private final Map<String, CommittedAudio> committedAudio = new ConcurrentHashMap<>();

    /**
     * Audio the server accepted in commits, by content: how often it was committed and how long it is.
     *
     * @param commits how many accepted commits carried exactly this audio
     */
    public record CommittedAudio(int commits, long millis) {
        CommittedAudio plus(CommittedAudio other) {
            return new CommittedAudio(commits + other.commits, millis);
        }
    }

    private LocalRealtimeServer(Options options) throws Exception {
        this.options = options;
        this.executor = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                Thread.ofPlatform().name("realtime-server-", 0).daemon().factory());
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("realtime-server-timer").daemon().factory());
        ServerContext context = new ServerContext(options.engine(), options.responses(), executor, timer,
                options.responseDuration(), options.maxSessionDuration(), MAX_EVENT_BYTES, openSessions, commits,
                itemsCreated, options.keepCommittedAudio() ? Optional.of(committedAudio) : Optional.empty());
        QueuedThreadPool threads = new QueuedThreadPool(256, 8);
        threads.setName("realtime-server-jetty");
        threads.setDaemon(true);
        server = new Server(threads);
        ServerConnector connector = options.tls().map(identity -> {
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStorePath(identity.keyStore().toString());
            tls.setKeyStoreType(identity.type());
            tls.setKeyStorePassword(identity.password());
            return new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory());
        }).orElseGet(() -> new ServerConnector(server));
        connector.setHost(options.host());
        connector.setPort(options.port());
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
            // Room above the 15 MiB event limit, so an oversized event is answered with an error, not a dropped socket
            // (ServerSession puts text messages together itself, with the same limit).
            container.setMaxTextMessageSize(context.maxTextMessageBytes());
            container.setIdleTimeout(Duration.ofMinutes(5));
            container.addMapping("/*", (request, response, callback) -> accept(context, request, response, callback));
        }));
        server.start();
    }

    /** Starts the server; fails with a message naming the address when it cannot bind. */
    public static LocalRealtimeServer start(Options options) {
        try {
            LocalRealtimeServer started = new LocalRealtimeServer(options);
            log.info("Local realtime server on {}:{} ({}), speech engine: {}", options.host(), started.port(),
                    options.dialects().stream().map(Dialect::id).sorted().toList(), options.engine().name());
            return started;
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + options.host() + ":" + options.port() + ": "
                    + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the local realtime server: " + e.getMessage(), e);
        }
    }

    private Object accept(ServerContext context, ServerUpgradeRequest request, ServerUpgradeResponse response,
                          Callback callback) {
        int ordinal = connections.incrementAndGet();
        FaultPlan plan = options.faults().forOrdinal(ordinal);
        if (plan.refuseUpgradeStatus() > 0) {
            Response.writeError(request, response, callback, plan.refuseUpgradeStatus(), "refused by the fault plan");
            return null;
        }
        String path = request.getHttpURI().getPath();
        Fields query = Request.extractQueryParameters(request);
        Dialect dialect;
        if (OPENAI_PATH.equals(path)) {
            dialect = "realtime=v1".equals(request.getHeaders().get("OpenAI-Beta")) ? Dialect.OPENAI_BETA : Dialect.OPENAI_GA;
        } else if (INWORLD_PATH.equals(path)) {
            dialect = Dialect.INWORLD;
            if (query.getValue("key") == null || !"realtime".equals(query.getValue("protocol"))) {
                Response.writeError(request, response, callback, 400, "Inworld sessions need ?key=...&protocol=realtime");
                return null;
            }
        } else {
            Response.writeError(request, response, callback, 404, "no realtime endpoint at " + path);
            return null;
        }
        if (!options.dialects().contains(dialect)) {
            Response.writeError(request, response, callback, 404, "this server does not serve the " + dialect.id() + " dialect");
            return null;
        }
        boolean transcriptionIntent = "transcription".equals(query.getValue("intent"));
        Optional<String> model = Optional.ofNullable(query.getValue("model"));
        if (transcriptionIntent && dialect == Dialect.OPENAI_BETA) {
            Response.writeError(request, response, callback, 400,
                    "beta transcription sessions are not supported (transcription_session_not_supported)");
            return null;
        }
        if (transcriptionIntent && model.isPresent()) {
            Response.writeError(request, response, callback, 400,
                    "You must not provide a model parameter for transcription sessions.");
            return null;
        }
        return new ServerSession(context, dialect, transcriptionIntent && dialect == Dialect.OPENAI_GA,
                dialect == Dialect.INWORLD ? Optional.empty() : model, plan);
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** The WebSocket URL of {@code dialect}'s endpoint (OpenAI's path for both OpenAI dialects). */
    public URI url(Dialect dialect) {
        return URI.create((options.tls().isPresent() ? "wss://" : "ws://") + options.host() + ":" + port() + (dialect == Dialect.INWORLD ? INWORLD_PATH : OPENAI_PATH));
    }

    /** Connections open right now. */
    public int openSessions() {
        return openSessions.get();
    }

    /**
     * Commits of audio accepted so far, across connections: what a provider bills a transcription for, so tests can
     * tell how much audio was sent more than once.
     */
    public int commitsAccepted() {
        return commits.get();
    }

    /**
     * Every distinct audio accepted in a commit (keyed by its SHA-256), with how often: what tests compare to tell
     * audio the provider received twice from audio it received once.
     */
    public Map<String, CommittedAudio> committedAudio() {
        if (!options.keepCommittedAudio()) {
            throw new IllegalStateException("this server does not keep committed audio: start it with "
                    + "Options.withCommittedAudioKept()");
        }
        return Map.copyOf(committedAudio);
    }

    /** Conversation items clients created ({@code conversation.item.create} accepted), across connections. */
    public int itemsCreated() {
        return itemsCreated.get();
    }

    /** Upgrade attempts so far (the ordinal the fault plan counts). */
    public int connectionsAccepted() {
        return connections.get();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("stopping the local realtime server: {}", e.toString());
        }
        executor.shutdownNow();
        timer.shutdownNow();
    }
}
