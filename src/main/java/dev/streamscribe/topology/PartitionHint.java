package dev.streamscribe.topology;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.zip.CRC32;

/**
 * Helps whoever publishes a session's two halves with different partitioners: Java clients place a key by murmur2,
 * librdkafka's (Python, Go, .NET, C) default by CRC32, so a config published by one and chunks by the other land in
 * different partition numbers, and each half waits in vain in a task of its own. When a session expires with one
 * half entirely missing, its message names both partitions for its key and the one this task reads.
 */
final class PartitionHint {
    private PartitionHint() {
    }

    /** The partition Java's default partitioner gives {@code key} (murmur2). */
    static int murmur2(String key, int partitions) {
        return BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions);
    }

    /** The partition librdkafka's default partitioner (consistent_random) gives {@code key}: CRC32 modulo the count. */
    static int crc32(String key, int partitions) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % partitions);
    }

    /**
     * The sentence appended to the expiry of a session whose {@code missing} half ("config" or "chunks") never came,
     * or "" when the input topics' partition count is unknown.
     */
    static String describe(String key, String missing, int taskPartition, OptionalInt partitions) {
        if (partitions.isEmpty()) {
            return "";
        }
        int count = partitions.getAsInt();
        return String.format(Locale.ROOT, "; this task reads partition %d of %d, where key '%s' goes under murmur2 "
                        + "(Java clients' default) to partition %d and under CRC32 (librdkafka's default) to partition "
                        + "%d: if the %s were published with the other partitioner they are waiting in another task; "
                        + "publish configs and chunks alike (librdkafka: partitioner=murmur2_random)", taskPartition,
                count, key, murmur2(key, count), crc32(key, count), missing);
    }
}
