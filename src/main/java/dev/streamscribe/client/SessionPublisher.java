package dev.streamscribe.client;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.ingest.IngestProducer;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.event.InvalidSessionConfigException;
import dev.streamscribe.realtime.event.SessionSettings;
import dev.streamscribe.records.RunTokens;
import dev.streamscribe.topology.PipelineTopics;
import dev.streamscribe.topology.Topic;
import dev.streamscribe.topology.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * Publishes sessions to a streamscribe pipeline's input topics from a JVM service, without the CLI: what
 * {@code ingest} does for files, for audio that is still arriving (a call, a meeting). One publisher per process;
 * each {@link #open opened} session is a {@link SessionStream}. It follows docs/producer-contract.md: records keyed
 * by session id with Kafka's default partitioner (murmur2), Avro in Confluent wire format against the pipeline's
 * registry, chunks of at most 256 KiB with seq/turn/flags laid out by the contract, the config after the chunks.
 *
 * <pre>{@code
 * try (SessionPublisher publisher = SessionPublisher.connect(Map.of(
 *         "bootstrap.servers", "kafka:9092", "schema.registry.url", "http://registry:8080/apis/ccompat/v7"));
 *      SessionStream session = publisher.open(SessionSpec.builder("call-4711").build())) {
 *     session.append(pcm, new RawFormat(16_000, 1, 16, false, false)); // as it arrives
 *     session.endTurn();                                                // per utterance
 *     session.end();                                                    // or abort(reason); close() aborts
 * }
 * }</pre>
 * docs/examples/PublishSession.java is a complete program.
 *
 * <p>The producer is idempotent with {@code acks=all}: a retried send neither duplicates nor reorders a session's
 * records (a duplicate would be dropped by the pipeline anyway, by seq and content).
 *
 * <p>Threading: thread-safe; sessions may be opened, fed and ended from any threads at once (Kafka's producer is
 * shared and thread-safe; each session serialises its own calls).
 */
public final class SessionPublisher implements AutoCloseable {
    private final Producer<byte[], byte[]> producer;
    private final boolean ownsProducer;
    private final Topics topics;
    private final Dialect dialect;
    private final Clock clock;
    private final Set<SessionStream> open = ConcurrentHashMap.newKeySet();

    private SessionPublisher(Producer<byte[], byte[]> producer, boolean ownsProducer, Topics topics, Dialect dialect,
                             Clock clock) {
        this.producer = producer;
        this.ownsProducer = ownsProducer;
        this.topics = topics;
        this.dialect = dialect;
        this.clock = clock;
    }

    /**
     * Connects with the pipeline's own settings (the keys of its definition file, README "Configuration": at least
     * {@code bootstrap.servers} and {@code schema.registry.url}, plus {@code topic.*}, {@code realtime.dialect},
     * {@code kafka.*} and secret references as the pipeline takes them); {@code STREAMSCRIBE_*} environment variables
     * override them as they do for the CLI; {@code realtime.url} may be left out (only the pipeline talks to the
     * provider). Creates the input topics if they are missing, as {@code ingest} does.
     *
     * @throws dev.streamscribe.config.ConfigException a setting is unknown or invalid
     */
    public static SessionPublisher connect(Map<String, String> settings) {
        return connect(ProducerSettings.load(settings, System.getenv()));
    }

    /** Connects with a loaded pipeline configuration; creates the input topics if they are missing. */
    public static SessionPublisher connect(PipelineConfig config) {
        Topics topics = PipelineTopics.connect(config, System.getenv());
        PipelineTopics.prepare(config, topics);
        return new SessionPublisher(IngestProducer.create(PipelineTopics.clientProperties(config)), true, topics,
                config.realtime().dialect(), Clock.systemUTC());
    }

    /**
     * Publishes through a producer the caller owns and closes (topics prepared by the caller): for {@code ingest},
     * {@code demo} and the bench, which share one producer.
     */
    public static SessionPublisher over(Producer<byte[], byte[]> producer, Topics topics, Dialect dialect, Clock clock) {
        return new SessionPublisher(producer, false, topics, dialect, clock);
    }

    /** Opens a session; nothing is published until audio fills a chunk. */
    public SessionStream open(SessionSpec spec) {
        return open(spec, audioBytes -> { });
    }

    /**
     * Opens a session: builds its config (session id, run token, audio format and creation time set from the
     * spec) and checks it against the pipeline's dialect, as {@code ingest} does.
     *
     * @param audioAcknowledged told the session's audio bytes Kafka has acknowledged so far (on a producer thread;
     *                          keep it short)
     * @throws IllegalArgumentException the config cannot be sent to the pipeline's provider (the message says why)
     */
    public SessionStream open(SessionSpec spec, LongConsumer audioAcknowledged) {
        SessionConfig config = SessionConfig.newBuilder(spec.config()).setSessionId(spec.sessionId())
                .setRunToken("").setAudioFormat(spec.encoding().wireFormat()).setCreatedAtMs(clock.millis()).build();
        config.setRunToken(spec.runToken().orElseGet(() -> RunTokens.of(config)));
        try {
            SessionSettings.from(config, dialect);
        } catch (InvalidSessionConfigException e) {
            throw new IllegalArgumentException("session '" + spec.sessionId() + "' cannot be sent to a "
                    + dialect.id() + " provider: " + e.getMessage(), e);
        }
        SessionStream stream = new SessionStream(this, spec, config, new Acknowledgements(audioAcknowledged));
        open.add(stream);
        return stream;
    }

    /**
     * Aborts the sessions still open (reason "publisher closed"), then closes the producer if this publisher created
     * it (waiting for records in flight).
     */
    @Override
    public void close() {
        for (SessionStream stream : open) {
            try {
                stream.close();
            } catch (RuntimeException e) {
                // best effort: the others still get their abort, and the producer still closes
            }
        }
        open.clear();
        if (ownsProducer) {
            producer.close();
        }
    }

    /** Sessions opened and neither ended nor aborted yet. */
    public int openSessions() {
        return open.size();
    }

    long now() {
        return clock.millis();
    }

    void sendChunk(AudioChunk chunk, long audioBytes, Acknowledgements acknowledgements) {
        send(topics.audioChunks(), chunk.getSessionId(), chunk, audioBytes, acknowledgements);
    }

    void sendConfig(SessionConfig config, Acknowledgements acknowledgements) {
        send(topics.sessionConfigs(), config.getSessionId(), config, 0, acknowledgements);
    }

    void closed(SessionStream stream) {
        open.remove(stream);
    }

    private <V> void send(Topic<String, V> topic, String sessionId, V value, long audioBytes,
                          Acknowledgements acknowledgements) {
        try {
            byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
            producer.send(new ProducerRecord<>(topic.name(), sessionId.getBytes(StandardCharsets.UTF_8), bytes),
                    (metadata, error) -> {
                        if (error == null) {
                            acknowledgements.acknowledged(audioBytes);
                        } else {
                            acknowledgements.failed(error);
                        }
                    });
        } catch (RuntimeException e) {
            // the registry refused the schema, the producer is closed, or its buffer stayed full past max.block.ms
            acknowledgements.failed(e);
        }
    }
}
