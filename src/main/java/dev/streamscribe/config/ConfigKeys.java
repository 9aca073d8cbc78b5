package dev.streamscribe.config;

import dev.streamscribe.realtime.Dialect;

import java.util.List;

/**
 * Every configuration key of a pipeline definition: its default and what it means. The README's configuration table
 * documents each one (ReadmeConfigurationTest); {@link ConfigLoader} accepts these and no others.
 */
public final class ConfigKeys {
    /** A declared key: its default ({@code null} = required, {@code ""} = optional) and what it means. */
    public record Key(String name, String defaultValue, String doc) {
        public String envName() {
            return ConfigLoader.envNameOf(name);
        }
    }

    public static final List<Key> ALL = List.of(
            new Key("application.id", "streamscribe-transcribe", "Kafka Streams application id; instances with the same id share the work"),
            new Key("bootstrap.servers", null, "Kafka bootstrap servers, host:port[,host:port...]"),
            new Key("topic.prefix", "streamscribe.", "prefix of every topic name"),
            new Key("topic.session-configs", "session-configs", "SessionConfig topic (after the prefix)"),
            new Key("topic.audio-chunks", "audio-chunks", "AudioChunk topic (after the prefix)"),
            new Key("topic.transcriptions", "transcriptions", "TranscriptionEvent topic (after the prefix)"),
            new Key("topic.responses", "responses", "ResponseEvent topic (after the prefix)"),
            new Key("topic.session-results", "session-results", "SessionResult topic (after the prefix)"),
            new Key("topic.dead-letters", "dead-letters", "DeadLetter topic (after the prefix)"),
            new Key("topic.partitions", "6", "partitions of topics streamscribe creates"),
            new Key("topic.replication-factor", "1", "replication factor of topics streamscribe creates"),
            new Key("schema.registry.url", null, "Confluent-API schema registry root, http(s)://host:port[/path]"),
            new Key("schema.registry.auto-register", "true", "register writer schemas; false uses only pre-registered ones"),
            new Key("schema.registry.basic-auth-env", "", "environment variable holding the registry's user:password"),
            new Key("schema.registry.basic-auth", "", "the registry's user:password as a config-provider reference (${env:NAME}, ${file:path:key} or ${dir:path:file}); wins over schema.registry.basic-auth-env"),
            new Key("schema.registry.bearer-token", "", "a bearer token for the registry, as a config-provider reference (${env:NAME}, ${file:path:key} or ${dir:path:file})"),
            new Key("schema.registry.truststore.location", "", "truststore (PKCS12 or JKS) the registry's https certificate is verified against, instead of the JDK's"),
            new Key("schema.registry.truststore.password", "", "its password, if it has one (a literal or a config-provider reference)"),
            new Key("schema.registry.truststore.type", "PKCS12", "its type: PKCS12 or JKS"),
            new Key("schema.registry.request-timeout-ms", "10000", "bound on every registry call"),
            new Key("realtime.dialect", "openai-ga", "provider dialect: " + Dialect.allowed()),
            new Key("realtime.url", null, "realtime WebSocket endpoint, ws(s)://host[:port]/path"),
            new Key("realtime.api-key-env", "OPENAI_API_KEY", "environment variable holding the provider API key"),
            new Key("realtime.api-key-file", "", "file holding the provider API key (wins over realtime.api-key-env)"),
            new Key("realtime.api-key", "", "the provider API key as a config-provider reference (${env:NAME}, ${file:path:key}, or ${dir:path:file} for a mounted Kubernetes Secret); wins over realtime.api-key-file and realtime.api-key-env. A literal key is refused"),
            new Key("realtime.truststore.location", "", "truststore (PKCS12 or JKS) the provider's wss:// certificate is verified against, instead of the JDK's"),
            new Key("realtime.truststore.password", "", "its password, if it has one (a literal or a config-provider reference)"),
            new Key("realtime.truststore.type", "PKCS12", "its type: PKCS12 or JKS"),
            new Key("realtime.max-concurrent-sessions", "16", "provider sessions in flight per instance"),
            new Key("realtime.provider-name", "", "the name of the realtime.* provider in records, status and providers.* routing (empty: its dialect's vendor, openai or inworld)"),
            new Key("realtime.priority", "0", "its priority among the providers: sessions go to the highest-priority provider that can take them (providers.NAME.priority)"),
            new Key("realtime.models", "", "models it serves, as session-model[=its-model],...: a session whose model is not listed goes to another provider (empty: every model under its own name)"),
            new Key("realtime.max-attempts", "5", "attempts per session before it fails (transient errors only)"),
            new Key("realtime.max-dispatches", "10", "provider connections of a session in a row that may end with no outcome (the instance crashed or lost the task) before the run fails (CRASH_LOOP)"),
            new Key("realtime.session-timeout-ms", "3600000", "bound on one provider connection of a session (sessions move to a new connection every 55 minutes, so a longer recording is not cut off)"),
            new Key("realtime.item-timeout-ms", "60000", "bound on waiting for session.updated, a commit's answer or a response"),
            new Key("realtime.transcription-wait-ms", "30000", "a turn whose transcription has not come this long (plus the share below) after its commit fails TRANSCRIPTION_TIMEOUT; the session goes on"),
            new Key("realtime.transcription-wait-per-audio", "0.5", "extra transcription wait per second of the turn's audio (0.5: half its length)"),
            new Key("realtime.live-idle-close-ms", "30000", "how long a live session's connection waits for its next turn before it closes (it reopens, without an attempt, when the next turn completes)"),
            new Key("realtime.live-reserved-sessions", "0", "slots (of realtime.max-concurrent-sessions) batch sessions never take, less those live sessions hold, so a new live session starts without waiting for a batch session to end; each costs batch sessions a slot while fewer live sessions are connected. Without it live turns still go first: while one waits for a slot, no batch session starts"),
            new Key("realtime.max-live-sessions", "100", "live sessions per instance that hold a place: their turns go before batch sessions and into the reserved slots; past it a new live session queues like a batch one (status and the live-sessions metric show it) until a place frees"),
            new Key("provider.breaker.failures", "5", "sessions in a row whose connections fail (refused, dropped, 5xx, connect/configure/commit timeouts) that pause admission to the provider; they and those that fail during the pause wait without spending an attempt"),
            new Key("provider.breaker.pause-ms", "5000", "first pause of admission after the breaker opens; one session then probes, and each failed probe doubles the pause"),
            new Key("provider.breaker.max-pause-ms", "300000", "longest pause of admission to a failing provider"),
            new Key("provider.quota-pause-ms", "3600000", "how long admission to the provider pauses after it says the quota is exhausted, unless an operator runs 'streamscribe resume-provider' (or restarts) first"),
            new Key("provider.breaker.grace-ms", "5000", "how long a connection failure waits to learn whether it was part of an outage before it counts as the session's own (an attempt)"),
            new Key("state.dir", ".streamscribe/state", "Kafka Streams state directory (keep it across restarts)"),
            new Key("instance.id", "", "stable name of this instance: enables static membership, so a restart takes over at once"),
            new Key("shutdown.drain-timeout-ms", "30000", "on SIGTERM, how long sessions in flight may take to finish"),
            new Key("operations.port", "9464", "port of /metrics, /health and /ready (0 = any free port, -1 = off)"),
            new Key("ffmpeg.path", "ffmpeg", "ffmpeg executable (a name on PATH or a path; ffprobe beside it) that decodes files other than WAV and raw PCM: MP3, AAC/M4A, FLAC, Ogg/Opus, WebM, MP4, MKV, MOV, WMA"),
            new Key("pricing.file", "", "price table (JSON, the bundled table's format: docs/operations.md section 7) that replaces the bundled one; a malformed or negative entry fails start-up naming it"),
            new Key("budget.max-cost", "", "what the application id may spend at the providers per budget.period, in the price table's currency (empty: no budget); admission stops once the spend reaches it, counted from every call the providers reported over all instances and restarts (docs/operations.md section 7)"),
            new Key("budget.period", "total", "what budget.max-cost is counted over: total (the application id's whole life), day or month (calendar, UTC)"),
            new Key("log.format", "text", "text (lines for people) or json (one JSON object per line, with session_id and run_token on every line about a session, for log pipelines)"),
            new Key("operations.host", "127.0.0.1", "address /metrics, /health and /ready listen on: 127.0.0.1 (this machine only), or 0.0.0.0 in a container so Prometheus and the orchestrator's probes reach them"),
            new Key("commit.interval.ms", "100", "Kafka Streams commit interval (transaction length under exactly-once)"),
            new Key("session.idle-timeout-ms", "600000", "a session with no new input for this long expires"),
            new Key("session.max-chunks", "200000", "chunks one session may hold; past it the run fails (LIMIT_CHUNKS) and further chunks are not indexed"),
            new Key("session.max-audio-ms", "28800000", "audio one session run may have (8 h); past it the run fails (LIMIT_AUDIO)"),
            new Key("session.max-turns", "10000", "turns one session run may have; past it the run fails (LIMIT_TURNS)"),
            new Key("session.max-age-ms", "86400000", "how long a run may take to become complete, from its first record (24 h); past it the run expires (LIMIT_AGE)"),
            new Key("session.live-max-age-ms", "86400000", "the same for a live session (start AT_FIRST_TURN), which takes as long as its call: set it to the longest call you take; its finished turns' events stay when it expires"),
            new Key("processing.unsafe-at-least-once", "false", "accept a streams.processing.guarantee other than exactly_once_v2 (records may be written twice and sessions paid twice after a crash)"));

    /**
     * The keys of each further provider, {@code providers.NAME.FIELD} (NAME: lower-case letters, digits and '-'), by
     * FIELD; {@code name} is the FIELD here.
     */
    public static final List<Key> PROVIDER_FIELDS = List.of(
            new Key("url", null, "its realtime WebSocket endpoint, ws(s)://host[:port]/path"),
            new Key("dialect", "openai-ga", "its dialect: " + Dialect.allowed()),
            new Key("api-key-env", "", "environment variable holding its API key (empty: none, for a server that needs no key)"),
            new Key("max-concurrent-sessions", "16", "its sessions in flight per instance"),
            new Key("priority", "0", "higher goes first (realtime.priority for the realtime.* provider)"),
            new Key("models", "", "models it serves, as session-model[=its-model],... (empty: every model under its own name)"),
            new Key("price-as", "", "its name in the price table (empty: its dialect's vendor, openai or inworld)"));

    /** The prefix of further providers' keys. */
    public static final String PROVIDERS_PREFIX = "providers.";

    private ConfigKeys() {
    }
}
