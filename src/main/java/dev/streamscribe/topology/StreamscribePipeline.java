package dev.streamscribe.topology;

import dev.streamscribe.config.ConfigException;
import dev.streamscribe.config.ConfigReferences;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.config.TrustStores;
import dev.streamscribe.config.ProviderDefinition;
import dev.streamscribe.cost.SpendLedger;
import dev.streamscribe.metrics.InstanceStatusPublisher;
import dev.streamscribe.metrics.ProviderControl;
import dev.streamscribe.metrics.OperationsEndpoint;
import dev.streamscribe.metrics.PipelineMetrics;
import dev.streamscribe.realtime.ApiKey;
import dev.streamscribe.realtime.driver.DriverSettings;
import dev.streamscribe.realtime.transport.JettyWebSocketTransport;
import dev.streamscribe.registry.SchemaRegistryClient;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The running pipeline: creates missing topics, checks the audio topic's retention, wires the session driver,
 * the audio reader and the topology into one exactly-once Kafka Streams application, and stops it all cleanly.
 *
 * <p>Threading: start and close from one thread; Kafka Streams, the driver and the audio reader run their own.
 */
public final class StreamscribePipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamscribePipeline.class);
    /** Base backoff of retried sessions: the second attempt waits about this long, each further one twice as long. */
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);
    /** The registry outage budget plus room for the rest of the transaction. */
    static final Duration TRANSACTION_TIMEOUT = PipelineTopics.REGISTRY_OUTAGE_BUDGET.plusSeconds(30);

    private final KafkaStreams streams;
    private final DispatchServices dispatch;
    private final AudioReader audio;
    private final JettyWebSocketTransport transport;
    private final ExecutorService driverThreads;
    private final ScheduledExecutorService timer;
    private final Topics topics;
    private final SchemaRegistryClient registry;
    private final boolean staticMember;
    private final PipelineConfig config;
    private final PipelineMetrics metrics;
    private final KafkaStreamsMetrics streamsMetrics;
    private final Optional<OperationsEndpoint> operations;
    private final InstanceStatusPublisher instanceStatus;
    private final ProviderControl control;
    private final Optional<SpendTopic> spendTopic;
    /** The audio topic's retention.ms (empty: infinite), read at start-up. */
    private final Optional<Duration> audioRetention;
    private final ThreadReplacementBudget replacements = new ThreadReplacementBudget(ThreadReplacementBudget.DEFAULT_MAX,
            ThreadReplacementBudget.DEFAULT_WINDOW, System::currentTimeMillis);
    /** Why the instance stopped itself, once it has (read by other threads: volatile). */
    private volatile Optional<String> failure = Optional.empty();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Resolves the output schemas' ids, then starts Streams; set once by {@link #start}. */
    private volatile Thread starter;

    private StreamscribePipeline(PipelineConfig config, Map<String, String> env) {
        this.config = config;
        registry = PipelineTopics.registryClient(config, env);
        topics = Topics.create(config.topics(), registry);
        staticMember = config.streams().instanceId().isPresent();
        PipelineTopics.Prepared prepared = PipelineTopics.prepare(config, topics);
        this.audioRetention = prepared.audioRetention();
        Optional<ApiKey> key = ApiKey.resolve(config.realtime().apiKey(), config.realtime().apiKeyFile(),
                config.realtime().apiKeyEnv(), env);
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics = new PipelineMetrics(prometheus);
        metrics.bindJvm();
        // built in dependency order: the spend first (admission reads it), then the gate, since the driver reports
        // rate limits to it
        String instanceName = config.streams().instanceId().orElseGet(
                () -> "pid-" + ProcessHandle.current().pid() + "@" + hostName());
        spendTopic = config.budget().limited() ? Optional.of(SpendTopic.prepare(config, instanceName)) : Optional.empty();
        SpendLedger spend = spendTopic.map(topic -> ProviderPool.spendLedger(config, metrics, topic, instanceName))
                .orElse(SpendLedger.UNTRACKED);
        AdmissionGate gate = new AdmissionGate(ProviderPool.gates(config, metrics), new AdmissionGate.LiveShare(
                config.realtime().live().reservedSlots(), config.realtime().live().maxSessions()), spend);
        transport = new JettyWebSocketTransport(Duration.ofSeconds(10), 16 * 1024 * 1024, config.realtime().trustStore()
                .map(store -> TrustStores.sslContext("realtime.truststore", store, new ConfigReferences(env))));
        driverThreads = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                Thread.ofPlatform().name("session-driver-", 0).daemon().factory());
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("session-timer").daemon().factory());
        Map<String, Object> consumer = new HashMap<>(PipelineTopics.kafkaOverrides(config));
        consumer.put("bootstrap.servers", config.kafka().bootstrapServers());
        audio = new AudioReader(consumer, topics.audioChunks().name(), topics.audioChunks().valueSerde().deserializer(), 2);
        DriverSettings driverSettings = new DriverSettings(config.realtime().itemTimeout(),
                config.realtime().sessionTimeout(), DriverSettings.DEFAULT_ROTATE_AFTER, config.realtime().transcriptionWait(),
                config.realtime().transcriptionWaitPerAudio(), config.realtime().live().idleClose());
        dispatch = DispatchServices.create(gate, ProviderPool.routes(config, env, key, gate, transport, driverSettings,
                        driverThreads, timer, audio),
                new RetryPolicy(config.realtime().maxAttempts(), RETRY_BACKOFF,
                config.realtime().maxDispatches()), metrics);
        Properties props = streamsProperties(config);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class);
        props.put(DeadLetterDeserializationHandler.TOPIC_CONFIG, topics.deadLetters().name());
        props.put(DeadLetterDeserializationHandler.SERIALIZER_CONFIG, topics.deadLetters().valueSerde().serializer());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class);
        props.put(DeadLetterProcessingHandler.AUDIO_TOPIC_CONFIG, topics.audioChunks().name());
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class);
        props.put(DeadLetterProductionHandler.RESULTS_TOPIC_CONFIG, topics.sessionResults().name());
        streams = new KafkaStreams(TranscribeTopology.build(topics,
                TranscribeTopology.assemblerSettings(config, prepared.audioRetention())
                        .withInputPartitions(prepared.inputPartitions()), dispatch), props);
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(prometheus);
        metrics.bindHealthGauges(() -> registry.health().waiting(), () -> registry.health().outage().isPresent() ? 1 : 0,
                () -> gate.rateLimitPaused(System.currentTimeMillis()) ? 1 : 0);
        PipelineTopics.prepareInstanceStatus(config);
        PipelineTopics.prepareControl(config);
        control = ProviderControl.listen(PipelineTopics.clientProperties(config), PipelineTopics.controlTopic(config),
                gate::resumeProvider);
        instanceStatus = InstanceStatusPublisher.start(PipelineTopics.clientProperties(config),
                PipelineTopics.instanceStatusTopic(config), instanceName,
                () -> streams.state().name(), this::conditions);
        operations = config.streams().operationsPort() < 0 ? Optional.empty()
                : Optional.of(OperationsEndpoint.start(config.streams().operationsHost(), config.streams().operationsPort(),
                prometheus, streams::state,
                this::conditions));
        // A registry outage longer than the serdes' budget fails the thread on purpose (DeadLetterDeserializationHandler)
        // and a replacement rides it out; a failure that keeps coming back is poison: stop instead of looping.
        streams.setUncaughtExceptionHandler(error -> {
            if (replacements.allowReplacement()) {
                log.warn("stream thread failed ({}); replacing it ({} of {} replacements allowed within {} min)",
                        error.toString(), replacements.used(), replacements.max(), replacements.window().toMinutes());
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            failure = Optional.of("stream threads failed more than " + replacements.max() + " times within "
                    + replacements.window().toMinutes() + " min; the last failure: " + error);
            log.error("stopping this instance: {}", failure.get());
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    }

    /** Starts the pipeline; it runs until {@link #close()}. */
    /**
     * Builds the pipeline and starts it on a thread of its own: the output schemas' ids are resolved first (waiting
     * through a registry outage as long as it lasts, reported by {@code /health}), then Kafka Streams starts. Returns
     * at once; {@link #state()} says when Streams runs.
     */
    public static StreamscribePipeline start(PipelineConfig config, Map<String, String> env) {
        StreamscribePipeline pipeline = new StreamscribePipeline(config, env);
        pipeline.starter = Thread.ofPlatform().name("pipeline-start").daemon().start(pipeline::resolveSchemasThenStart);
        return pipeline;
    }

    private void resolveSchemasThenStart() {
        try {
            RegistryWarmUp.resolveOutputIds(registry, topics);
            streams.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closed before it started
        } catch (RuntimeException e) {
            failure = Optional.of("cannot start: " + e.getMessage());
            log.error("the pipeline cannot start: {}", e.getMessage());
        }
    }

    /**
     * What an operator should know about a running instance that is not a failure: start-up waiting for the
     * registry, a registry outage being waited out, and the provider's pauses ({@link ProviderConditions}). Each is a
     * line of {@code /health}'s body (which stays 200) and of the instance's status report.
     */
    public List<String> conditions() {
        List<String> conditions = new ArrayList<>();
        Instant now = Instant.now();
        if (streams.state() == KafkaStreams.State.CREATED && failure.isEmpty()) {
            conditions.add("starting: resolving the output schemas' ids at the schema registry");
        }
        registry.health().describe(now).ifPresent(conditions::add);
        conditions.addAll(ProviderConditions.of(dispatch.gate(), config.providers().stream().collect(
                Collectors.toMap(ProviderDefinition::name, ProviderDefinition::url)), audioRetention, now));
        return conditions;
    }

    static Properties streamsProperties(PipelineConfig config) {
        Properties props = new Properties();
        PipelineTopics.kafkaOverrides(config).forEach(props::put);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.streams().commitInterval().toMillis());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.streams().stateDir().toAbsolutePath().toString());
        // changelogs get the broker's default replication (topic.replication-factor is for the topics we create);
        // streams.replication.factor sets it explicitly
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
        // Audio chunks are up to 256 KiB: larger batches than the 16 KiB default (docs/architecture.md section 8).
        props.put(StreamsConfig.producerPrefix("batch.size"), 256 * 1024);
        props.put(StreamsConfig.producerPrefix("linger.ms"), 10);
        props.put(StreamsConfig.producerPrefix("max.request.size"), 8 * 1024 * 1024);
        // Chunks carry up to 256 KiB: Streams' default of 1,000 buffered records per partition could hold 250 MiB of
        // audio on the heap during a backlog. The assembler only needs each chunk long enough to digest it.
        props.put(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, 16);
        // ...and the consumer under it would prefetch up to 50 MiB (fetch.max.bytes) during a backlog: measured by
        // the bench as 100 MiB more live heap for a 60-minute session than for a 1-minute one. 4 MiB keeps it flat.
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG),
                4 * 1024 * 1024);
        // A registry outage is waited out in place, inside the open transaction: the transaction must outlive the wait,
        // or the coordinator aborts it and fences the producer (Streams' exactly-once default is 10 s).
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                (int) TRANSACTION_TIMEOUT.toMillis());
        // Kafka 5.0's default, set now: the finished-runs global store gets the same processing-error handling
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // Static membership: a restarted instance (same instance.id, same state.dir) takes its tasks back at once
        // instead of waiting for the dead member's session to time out. Streams adds the thread index.
        config.streams().instanceId().ifPresent(id -> props.put(
                StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                config.applicationId() + "-" + id));
        PipelineTopics.streamsOverrides(config).forEach(props::put);
        Object timeout = props.get(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG));
        if (Long.parseLong(timeout.toString()) < TRANSACTION_TIMEOUT.toMillis()) {
            throw new ConfigException("streams.producer.transaction.timeout.ms", "streams.producer.transaction.timeout.ms is "
                    + timeout + " ms, shorter than the schema registry outage a stream thread waits out in place ("
                    + PipelineTopics.REGISTRY_OUTAGE_BUDGET.toMillis() + " ms) plus 30 s: the coordinator would abort "
                    + "the transaction during the wait; leave it unset or raise it to at least " + TRANSACTION_TIMEOUT.toMillis());
        }
        Object guarantee = props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (!StreamsConfig.EXACTLY_ONCE_V2.equals(guarantee) && !config.streams().unsafeAtLeastOnce()) {
            throw new ConfigException("streams.processing.guarantee", "streams.processing.guarantee is '" + guarantee
                    + "': without exactly_once_v2 a crash can write a session's records twice and pay the provider "
                    + "again for them. Set processing.unsafe-at-least-once=true (run --unsafe-at-least-once) to accept that.");
        }
        return props;
    }

    public PipelineMetrics metrics() {
        return metrics;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Why this instance cannot go on, when it cannot: Kafka Streams is in ERROR (the thread replacement budget was
     * spent, or Streams failed on its own).
     */
    public Optional<String> failure() {
        if (failure.isPresent() && streams.state() == KafkaStreams.State.CREATED) {
            return failure; // it never started
        }
        if (streams.state() != KafkaStreams.State.ERROR && streams.state() != KafkaStreams.State.PENDING_ERROR) {
            return Optional.empty();
        }
        return failure.or(() -> Optional.of("Kafka Streams is in " + streams.state()));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }

    /** Stream threads replaced after a failure so far (within the budget's window). */
    public int threadReplacements() {
        return replacements.used();
    }

    public Topics topics() {
        return topics;
    }

    /** Sessions in flight in this instance right now. */
    public int inFlight() {
        return dispatch.gate().inFlight();
    }

    /** The port of /metrics, /health and /ready, when they are served. */
    public Optional<Integer> operationsPort() {
        return operations.map(OperationsEndpoint::port);
    }

    /**
     * What is left to do, for batch runs ({@code run --exit-when-drained}): input records not yet consumed and
     * committed by this application, sessions in this instance's stores that have no result for their current run
     * (waiting for input, for a slot, in flight or waiting to retry), and outcomes not yet written.
     *
     * @return empty while it cannot be told (starting, rebalancing)
     */
    public Optional<Backlog> backlog() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return Optional.empty();
        }
        long unfinished;
        try {
            unfinished = SessionSchedule.countUnfinished(
                    streams.store(StoreQueryParameters.fromNameAndType(StoreNames.SESSION_SCHEDULE,
                            QueryableStoreTypes.<Bytes, byte[]>keyValueStore())),
                    streams.store(StoreQueryParameters.fromNameAndType(StoreNames.SESSION_STATE,
                            QueryableStoreTypes.<String, SessionState>keyValueStore())));
        } catch (InvalidStateStoreException e) {
            return Optional.empty();
        }
        long lag;
        try {
            lag = inputLag();
        } catch (RuntimeException e) {
            log.debug("cannot measure the input lag yet: {}", e.toString());
            return Optional.empty();
        }
        return Optional.of(new Backlog(lag, unfinished, dispatch.gate().inFlight(), dispatch.drained()));
    }

    /**
     * @param inputLag           input records (configs and chunks) not yet committed as consumed
     * @param unfinishedSessions sessions without a result for their current run, in this instance
     * @param inFlight           sessions at the provider now
     * @param outcomesWritten    every finished attempt's records have been handed to the topology
     *
     * <p>{@link #drained()} is read off the local stores, which show a session finished as soon as its records are
     * handed over: the transaction that makes them readable commits up to one commit interval later. Callers that
     * read the results next wait for them ({@code run --exit-when-drained} checks twice, a second apart, then stops
     * gracefully, which commits).
     */
    public record Backlog(long inputLag, long unfinishedSessions, int inFlight, boolean outcomesWritten) {
        public boolean drained() {
            return inputLag == 0 && unfinishedSessions == 0 && inFlight == 0 && outcomesWritten;
        }

        /** Everything read and written, nothing at the provider: what is left only waits for admission. */
        public boolean onlyWaiting() {
            return inputLag == 0 && inFlight == 0 && outcomesWritten;
        }
    }

    /** Whether the application id's budget is spent, so nothing is admitted (budget.max-cost). */
    public boolean budgetSpent() {
        return dispatch.gate().spend().exhausted(System.currentTimeMillis());
    }

    private long inputLag() {
        try (Admin admin = Admin.create(PipelineTopics.clientProperties(config))) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(config.applicationId()).partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (String topic : List.of(topics.sessionConfigs().name(), topics.audioChunks().name())) {
                admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            }
            var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(30, TimeUnit.SECONDS);
            long lag = 0;
            for (var end : ends.entrySet()) {
                var done = committed.get(end.getKey());
                lag += Math.max(0, end.getValue().offset() - (done == null ? 0 : done.offset()));
            }
            return lag;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Stops gracefully: admits no new session, lets the ones in flight finish and their records be written for up
     * to {@code drainTimeout}, then closes Streams (committing), the sockets and the readers.
     *
     * @return true when every in-flight session finished within the timeout
     */
    public boolean stop(Duration drainTimeout) {
        dispatch.gate().stopAdmission();
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (!dispatch.drained() && System.nanoTime() < deadline && streams.state().isRunningOrRebalancing()) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        boolean drained = dispatch.drained();
        if (!drained) {
            log.warn("{} session(s) still in flight after {} s: they are cancelled and will run again after a restart",
                    dispatch.gate().inFlight(), drainTimeout.toSeconds());
        }
        close();
        return drained;
    }

    /** Stops at once (sessions in flight are cancelled and run again after a restart); a second call does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Thread starting = starter;
        if (starting != null) {
            starting.interrupt(); // still waiting for the registry: give up
        }
        dispatch.gate().stopAdmission();
        operations.ifPresent(OperationsEndpoint::close);
        instanceStatus.close();
        control.close();
        spendTopic.ifPresent(SpendTopic::close); // after the sessions: what they were billed for is recorded
        // Without an instance id, leaving the group hands the tasks to the other instances at once; a static member
        // stays, since it is expected back (a restart), and keeps its tasks without a rebalance.
        streams.close(CloseOptions.timeout(Duration.ofSeconds(30)).withGroupMembershipOperation(staticMember
                ? CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP : CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        streamsMetrics.close();
        metrics.closeJvm();
        audio.close();
        transport.close();
        driverThreads.shutdownNow();
        timer.shutdownNow();
    }
}
