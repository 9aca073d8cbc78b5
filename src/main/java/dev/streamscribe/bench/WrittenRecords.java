package dev.streamscribe.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Counts the records a pipeline wrote between two moments: to its changelogs ({@code <application.id>-...-changelog})
 * and its output topics. Unlike CPU, the count does not depend on the machine's noise, so a change in how many
 * records a session costs (each one a producer send, a broker append and a restore read) shows exactly. Committed
 * records only (read_committed): transaction markers and aborted writes are left out.
 *
 * <p>Threading: the bench's thread.
 */
final class WrittenRecords {
    private final Map<String, Object> clients;
    private final List<String> topics;
    private final Map<TopicPartition, Long> start;

    private WrittenRecords(Map<String, Object> clients, List<String> topics, Map<TopicPartition, Long> start) {
        this.clients = clients;
        this.topics = topics;
        this.start = start;
    }

    /** Starts counting what {@code pipeline} writes from now on. */
    static WrittenRecords from(BenchPipeline pipeline) throws Exception {
        try (Admin admin = Admin.create(pipeline.clients())) {
            List<String> written = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(name -> (name.startsWith(pipeline.id() + "-") && name.endsWith("-changelog"))
                            || List.of(pipeline.topics().transcriptions().name(), pipeline.topics().responses().name(),
                            pipeline.topics().sessionResults().name(), pipeline.topics().deadLetters().name())
                            .contains(name))
                    .sorted().toList();
            return new WrittenRecords(pipeline.clients(), written, endOffsets(admin, written));
        }
    }

    /** Records written since {@link #from}, by topic (the application id's prefix taken off the names). */
    Map<String, Long> since(String applicationId) throws Exception {
        Map<TopicPartition, Long> end;
        try (Admin admin = Admin.create(clients)) {
            end = endOffsets(admin, topics);
        }
        Map<String, Object> props = new HashMap<>(clients);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, Long> counts = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = end.keySet().stream()
                    .filter(partition -> end.get(partition) > start.getOrDefault(partition, 0L)).toList();
            consumer.assign(partitions);
            partitions.forEach(partition -> consumer.seek(partition, start.getOrDefault(partition, 0L)));
            Map<TopicPartition, Long> remaining = new HashMap<>();
            partitions.forEach(partition -> remaining.put(partition, end.get(partition)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!remaining.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < end.get(partition)) {
                        counts.merge(shortName(record.topic(), applicationId), 1L, Long::sum);
                    }
                }
                // a partition is done once its position passed the end taken above (markers have offsets too)
                remaining.keySet().removeIf(partition -> consumer.position(partition) >= remaining.get(partition));
            }
            if (!remaining.isEmpty()) {
                throw new IllegalStateException("counting written records: " + remaining.keySet() + " not read to "
                        + "their end in 60 s");
            }
        }
        topics.forEach(topic -> counts.putIfAbsent(shortName(topic, applicationId), 0L));
        return counts;
    }

    private static String shortName(String topic, String applicationId) {
        // changelogs are <application.id>-<store>-changelog, the bench's outputs <application.id>.<topic>
        return topic.startsWith(applicationId + "-") || topic.startsWith(applicationId + ".")
                ? topic.substring(applicationId.length() + 1) : topic;
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS)
                .values().stream().flatMap(topic -> topic.partitions().stream()
                        .map(partition -> new TopicPartition(topic.name(), partition.partition())))
                .collect(Collectors.toMap(Function.identity(), partition -> OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().offset()));
    }
}
