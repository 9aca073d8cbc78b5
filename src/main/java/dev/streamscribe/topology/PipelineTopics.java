package dev.streamscribe.topology;

import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.ConfigReferences;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.config.TrustStores;
import dev.streamscribe.registry.BasicCredentials;
import dev.streamscribe.registry.RegistryClientConfig;
import dev.streamscribe.registry.SchemaRegistryClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * The pipeline's topics as seen by every command that touches them (run, ingest, export, status, replay): typed
 * {@link Topics} bound to the configured registry, creation of missing topics, and the properties plain Kafka
 * clients need to reach the cluster.
 */
public final class PipelineTopics {
    private static final Logger log = LoggerFactory.getLogger(PipelineTopics.class);
    /** How long the serdes ride out a registry that is down before failing (docs/architecture.md section 7). */
    public static final Duration REGISTRY_OUTAGE_BUDGET = Duration.ofSeconds(60);

    private PipelineTopics() {
    }

    /** The typed topics with serdes bound to the configured registry (credentials read from {@code env}). */
    public static Topics connect(PipelineConfig config, Map<String, String> env) {
        return Topics.create(config.topics(), registryClient(config, env));
    }

    /**
     * The configured registry's client, riding out outages for the budget: credentials (a bearer token, or basic
     * auth from a reference or the variable named by basic-auth-env) and the truststore's references resolved
     * against {@code env}.
     */
    public static SchemaRegistryClient registryClient(PipelineConfig config, Map<String, String> env) {
        PipelineConfig.Registry registry = config.registry();
        ConfigReferences references = new ConfigReferences(env);
        Optional<RegistryClientConfig.Authorization> authorization = registry.bearerToken()
                .<RegistryClientConfig.Authorization>map(reference -> new RegistryClientConfig.Bearer(
                        references.resolve("schema.registry.bearer-token", reference).strip()))
                .or(() -> registry.basicAuth()
                        .map(reference -> references.resolve("schema.registry.basic-auth", reference).strip())
                        .or(() -> registry.basicAuthEnv().map(env::get).filter(v -> !v.isBlank()))
                        .map(BasicCredentials::parseUserInfo));
        Optional<SSLContext> tls = registry.trustStore()
                .map(store -> TrustStores.sslContext("schema.registry.truststore", store, references));
        return new SchemaRegistryClient(new RegistryClientConfig(registry.url(), authorization, registry.requestTimeout(),
                registry.autoRegister(), REGISTRY_OUTAGE_BUDGET, tls));
    }

    /**
     * bootstrap.servers plus every {@code kafka.*} override, its config-provider references resolved against this
     * process's environment and files: the base of any plain client's properties.
     */
    public static Map<String, Object> clientProperties(PipelineConfig config) {
        Map<String, Object> props = new HashMap<>(kafkaOverrides(config));
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        return props;
    }

    /** The {@code kafka.*} overrides, resolved (they may hold secrets: pass them to clients, never to a log). */
    public static Map<String, String> kafkaOverrides(PipelineConfig config) {
        return ConfigReferences.ofProcess().resolveAll(config.kafka().clientOverrides(), ConfigLoader.KAFKA_PASSTHROUGH);
    }

    /** The {@code streams.*} overrides, resolved likewise. */
    public static Map<String, String> streamsOverrides(PipelineConfig config) {
        return ConfigReferences.ofProcess().resolveAll(config.streams().overrides(), ConfigLoader.STREAMS_PASSTHROUGH);
    }

    /** The compacted topic where each instance of {@code config}'s application reports its state and conditions. */
    public static String instanceStatusTopic(PipelineConfig config) {
        return config.applicationId() + "-instance-status";
    }

    /** The topic where operators' commands reach every instance of {@code config}'s application ({@code resume-provider}). */
    public static String controlTopic(PipelineConfig config) {
        return config.applicationId() + "-control";
    }

    /**
     * The compacted topic where each incarnation of each instance of {@code config}'s application records what it
     * spent per budget period ({@link SpendTopic}).
     */
    public static String spendTopic(PipelineConfig config) {
        return config.applicationId() + "-spend";
    }

    /** Creates the spend topic when missing: one partition, compacted (one entry per incarnation and period). */
    public static void prepareSpend(PipelineConfig config) {
        prepareSmallTopic(config, spendTopic(config),
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    /** Creates the instance-status topic when missing: one partition, compacted (one entry per instance). */
    public static void prepareInstanceStatus(PipelineConfig config) {
        prepareSmallTopic(config, instanceStatusTopic(config),
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    /** Creates the control topic when missing: one partition, commands kept a week. */
    public static void prepareControl(PipelineConfig config) {
        prepareSmallTopic(config, controlTopic(config), Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_DELETE, TopicConfig.RETENTION_MS_CONFIG, String.valueOf(7L * 24 * 3_600_000)));
    }

    private static void prepareSmallTopic(PipelineConfig config, String name, Map<String, String> configs) {
        try (Admin admin = Admin.create(clientProperties(config))) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(name)) {
                NewTopic topic = new NewTopic(name, 1, config.kafka().replicationFactor()).configs(configs);
                createIfStillMissing(admin, List.of(topic));
                awaitLeaders(admin, List.of(name));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot prepare topic " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * What {@link #prepare} found.
     *
     * @param warnings       settings that cost money later, each already logged
     * @param audioRetention the audio topic's retention.ms; empty when infinite
     * @param inputPartitions the partition count of the configs and audio topics (checked equal)
     */
    public record Prepared(List<String> warnings, Optional<Duration> audioRetention, int inputPartitions) {
    }

    /**
     * Creates missing topics (configs compacted, session results kept forever) and checks what the pipeline's
     * guarantees rest on: the audio topic keeps its records long enough and is not compacted (the audio is read back
     * when a session runs, possibly hours after it was written), configs and chunks have as many partitions (they
     * are co-partitioned by session id). A refused check throws with what to change.
     *
     * @return what was found: warnings about settings that cost money later (each also logged), e.g. session results
     *         with a finite retention (a run whose result has left the topic is paid again after a reset), and the
     *         audio topic's retention
     */
    public static Prepared prepare(PipelineConfig config, Topics topics) {
        try (Admin admin = Admin.create(clientProperties(config))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.all().stream().map(Topic::name).filter(name -> !existing.contains(name))
                    .map(name -> {
                        NewTopic topic = new NewTopic(name, config.kafka().topicPartitions(), config.kafka().replicationFactor());
                        if (name.equals(topics.sessionConfigs().name())) {
                            topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                        }
                        if (name.equals(topics.sessionResults().name())) {
                            // the skip guarantee reads results back: a result that expired means a run paid twice
                            topic.configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1"));
                        }
                        return topic;
                    }).toList();
            if (!missing.isEmpty()) {
                createIfStillMissing(admin, missing);
                awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
                log.info("created topics {}", missing.stream().map(NewTopic::name).toList());
            }
            List<String> warnings = new ArrayList<>();
            ConfigResource audio = new ConfigResource(ConfigResource.Type.TOPIC, topics.audioChunks().name());
            Config audioConfig = describeWhenKnown(admin, audio);
            if (audioConfig.get(TopicConfig.CLEANUP_POLICY_CONFIG).value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                throw new IllegalStateException("topic " + topics.audioChunks().name() + " is compacted: compaction keeps "
                        + "one chunk per session id and deletes the rest of the audio; use cleanup.policy=delete");
            }
            long retentionBytes = Long.parseLong(audioConfig.get(TopicConfig.RETENTION_BYTES_CONFIG).value());
            if (retentionBytes >= 0) {
                warnings.add("topic " + topics.audioChunks().name() + " deletes audio beyond retention.bytes="
                        + retentionBytes + " per partition, whatever its age: sessions whose audio goes fail with "
                        + "AUDIO_EXPIRED; prefer retention.bytes=-1 and a retention.ms that outlasts the longest wait");
            }
            Map<String, Integer> partitions = partitionCounts(admin,
                    List.of(topics.sessionConfigs().name(), topics.audioChunks().name()));
            if (!partitions.get(topics.sessionConfigs().name()).equals(partitions.get(topics.audioChunks().name()))) {
                throw new IllegalStateException("topics " + topics.sessionConfigs().name() + " and "
                        + topics.audioChunks().name() + " have " + partitions.get(topics.sessionConfigs().name()) + " and "
                        + partitions.get(topics.audioChunks().name()) + " partitions: a session's config and chunks must "
                        + "land in the same partition number (co-partitioning), so give both the same count");
            }
            Config resultsConfig = describeWhenKnown(admin,
                    new ConfigResource(ConfigResource.Type.TOPIC, topics.sessionResults().name()));
            long resultsRetention = Long.parseLong(resultsConfig.get(TopicConfig.RETENTION_MS_CONFIG).value());
            if (resultsRetention >= 0) {
                warnings.add("topic " + topics.sessionResults().name() + " keeps results for " + resultsRetention
                        + " ms: after that, a reset or a new application id sends finished runs to the provider again "
                        + "(paid twice); set its retention.ms=-1");
            }
            warnings.forEach(log::warn);
            long retention = Long.parseLong(audioConfig.get(TopicConfig.RETENTION_MS_CONFIG).value());
            long needed = 2 * (config.streams().sessionIdleTimeout().toMillis() + config.realtime().sessionTimeout().toMillis());
            if (retention >= 0 && retention < needed) {
                throw new IllegalStateException("topic " + topics.audioChunks().name() + " keeps records for " + retention
                        + " ms, but a session may need its audio for up to " + needed + " ms (twice the idle timeout "
                        + "plus the session timeout): raise its retention.ms, or sessions will fail with AUDIO_EXPIRED");
            }
            return new Prepared(warnings, retention < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(retention)),
                    partitions.get(topics.audioChunks().name()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot prepare topics at " + config.kafka().bootstrapServers() + ": "
                    + e.getMessage(), e);
        }
    }


    /**
     * Creates the topics; one created meanwhile by someone else (another instance starting at the same moment, or a
     * creation the broker's metadata did not show yet) counts as created, with the settings it was given.
     */
    private static void createIfStillMissing(Admin admin, List<NewTopic> missing)
            throws InterruptedException, ExecutionException, TimeoutException {
        for (var created : admin.createTopics(missing).values().entrySet()) {
            try {
                created.getValue().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                log.info("topic {} was created meanwhile by someone else; using it as it is", created.getKey());
            }
        }
    }

    private static Map<String, Integer> partitionCounts(Admin admin, List<String> names)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Integer> counts = new HashMap<>();
        admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS)
                .forEach((name, description) -> counts.put(name, description.partitions().size()));
        return counts;
    }

    /**
     * Waits until every partition of just-created topics has a leader: producing before that earns
     * NOT_LEADER_OR_FOLLOWER, and the idempotent producer's retry of it was seen to end in an endless
     * OutOfOrderSequenceException on a single broker. A topic the controller has created may still be unknown to
     * the broker asked (KRaft applies metadata records asynchronously): that counts as "not yet".
     */
    public static void awaitLeaders(Admin admin, List<String> names)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            boolean ready;
            try {
                ready = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                        .allMatch(topic -> topic.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                ready = false;
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("topics " + names + " have no leader after 30 s");
            }
            Thread.sleep(100);
        }
    }

    /** A topic created a moment ago may not be known to every broker yet: ask again for a few seconds. */
    private static Config describeWhenKnown(Admin admin, ConfigResource topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                return admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
