package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.realtime.driver.AudioPiece;
import dev.streamscribe.realtime.driver.AudioUnavailableException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;

/**
 * Reads a session's audio back from the audio topic by its claim checks ({@link ChunkRef}), for the session
 * driver: plain read_committed consumers using assign and seek, off the stream thread, one chunk per request of
 * the driver (backpressure), so a session's audio is never all in memory. A chunk the log no longer has
 * (retention) fails the session with AUDIO_EXPIRED; a record that is not the chunk its claim check names (another
 * session, seq or length) fails it with AUDIO_MISMATCH.
 *
 * <p>Threading: each consumer is confined to its own single thread; sessions are spread over them by id. The
 * publishers' subscriptions may be called from any thread.
 */
public final class AudioReader implements AutoCloseable {
    /** What the lanes fetched and were not asked for yet, shared: 4 MiB (16 chunks of the largest size, 85 of a second). */
    static final long FETCHED_CHUNKS_BYTES = 4L * 1024 * 1024;

    private final List<Lane> lanes = new ArrayList<>();
    private final Deserializer<AudioChunk> deserializer;
    private final String topic;
    private final FetchedChunks fetched = new FetchedChunks(FETCHED_CHUNKS_BYTES);

    /**
     * @param consumerProps bootstrap servers and client overrides; group, offsets and isolation are set here
     * @param lanes         how many consumers (threads) read concurrently
     */
    public AudioReader(Map<String, Object> consumerProps, String topic, Deserializer<AudioChunk> deserializer, int lanes) {
        this.topic = topic;
        this.deserializer = deserializer;
        for (int i = 0; i < lanes; i++) {
            this.lanes.add(new Lane(new KafkaConsumer<>(laneConfig(consumerProps, i), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer()),
                    Executors.newSingleThreadExecutor(Thread.ofPlatform().name("audio-reader-" + i).daemon().factory())));
        }
    }

    /** The configuration of lane {@code lane}'s consumer: {@code consumerProps} with what targeted reads need. */
    static Map<String, Object> laneConfig(Map<String, Object> consumerProps, int lane) {
        Map<String, Object> props = new HashMap<>(consumerProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"); // a missing offset is an error, never a jump
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 8);
        // Reads are targeted (seek, then one record). A prefetch the consumer sends after a read may point past the
        // end of the partition, where the broker would hold it for fetch.max.wait.ms (500 ms by default), and the
        // next read to that broker waits behind it: measured by the bench as the pipeline's throughput ceiling.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        // One chunk (at most 256 KiB plus its envelope) per fetch: a read wants one record, and the default of
        // 1 MiB made the broker send four, three of them thrown away at the next seek (the bench's CPU profile).
        // A larger record is still returned whole.
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 260 * 1024);
        // A reader's consumer is assigned another partition for nearly every session it reads, and its fetch metrics
        // per partition come and go with each assignment. Each metrics reporter hears of every one: Kafka's default
        // JMX reporter registers and unregisters an MBean for each (at 1,000 sessions starting at once the JIT was
        // still compiling javax.management.ObjectName's parser, the longest C2 compile of the ramp), and the client
        // telemetry reporter (KIP-714) keeps a ledger of them (a tenth of the readers' samples in the same ramp, JFR,
        // bench concurrency phase). Nothing reads these consumers' MBeans or pushes their metrics (the pipeline's own
        // are on /metrics); what the operator configured explicitly is kept.
        props.putIfAbsent(ConsumerConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
        props.putIfAbsent(ConsumerConfig.ENABLE_METRICS_PUSH_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamscribe-audio-reader-" + lane);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return props;
    }

    private record Lane(KafkaConsumer<byte[], byte[]> consumer, ExecutorService thread) {
    }

    /** The session's audio, chunk by chunk in seq order, as the driver pulls it. */
    public Flow.Publisher<AudioPiece> open(String sessionId, List<ChunkRef> refs) {
        Lane lane = lanes.get(Math.floorMod(sessionId.hashCode(), lanes.size()));
        return subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private int next;
            private long demand;
            private boolean reading;
            private boolean done;

            @Override
            public synchronized void request(long n) {
                demand += n;
                pump();
            }

            @Override
            public synchronized void cancel() {
                done = true;
            }

            private void pump() {
                if (reading || done || demand == 0) {
                    return;
                }
                if (next == refs.size()) {
                    done = true;
                    lane.thread().execute(subscriber::onComplete);
                    return;
                }
                reading = true;
                demand--;
                ChunkRef ref = refs.get(next++);
                lane.thread().execute(() -> {
                    AudioPiece piece;
                    try {
                        piece = read(lane.consumer(), sessionId, ref);
                    } catch (RuntimeException e) {
                        synchronized (this) {
                            done = true;
                        }
                        subscriber.onError(e);
                        return;
                    }
                    subscriber.onNext(piece);
                    synchronized (this) {
                        reading = false;
                        pump();
                    }
                });
            }
        });
    }

    /** Chunks served from what earlier fetches brought along, instead of the broker, so far. */
    public long fetchedAlongReads() {
        return fetched.hits();
    }

    private AudioPiece read(KafkaConsumer<byte[], byte[]> consumer, String sessionId, ChunkRef ref) {
        TopicPartition partition = new TopicPartition(topic, ref.partition());
        Optional<byte[]> kept = fetched.take(ref.partition(), ref.offset());
        if (kept.isPresent()) {
            return checked(partition, sessionId, ref, kept.get());
        }
        if (!consumer.assignment().equals(Set.of(partition))) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, ref.offset());
        } else if (positionOf(consumer, partition) != ref.offset()) {
            consumer.seek(partition, ref.offset());
        } // else: the next chunk follows the last one read, and may already be in the consumer's buffer
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<ConsumerRecord<byte[], byte[]>> records;
            try {
                records = consumer.poll(Duration.ofMillis(200)).records(partition);
            } catch (OffsetOutOfRangeException e) {
                throw new AudioUnavailableException("AUDIO_EXPIRED", "chunk seq " + ref.seq() + " of session '" + sessionId
                        + "' (" + partition + " offset " + ref.offset() + ") is no longer in the topic: its retention "
                        + "deleted it");
            }
            Optional<byte[]> wanted = Optional.empty();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (record.offset() == ref.offset()) {
                    wanted = Optional.ofNullable(record.value());
                } else if (record.offset() > ref.offset()) {
                    fetched.keep(ref.partition(), record.offset(), record.value()); // likely read soon: keep it
                }
            }
            if (wanted.isPresent()) {
                return checked(partition, sessionId, ref, wanted.get());
            }
            if (records.stream().anyMatch(record -> record.offset() > ref.offset())) {
                throw new AudioUnavailableException("AUDIO_EXPIRED", "chunk seq " + ref.seq() + " of session '"
                        + sessionId + "' (" + partition + " offset " + ref.offset() + ") is gone from the topic");
            }
        }
        throw new IllegalStateException("reading " + partition + " offset " + ref.offset() + " took longer than 30 s");
    }

    /**
     * The chunk in {@code value}, once it is checked to be the one {@code ref} indexed: the same session, seq and
     * length. Its content is not digested again: the assembler digested it when it indexed this very record, a
     * record at an offset never changes (a topic deleted and created again would have to put the same session's same
     * seq with the same length at the same offset to pass), and corruption on the way is the batch CRC's to catch
     * (the consumer checks it, CRC32C). A second digest of every byte read, a SHA-256 then, was 1-2 % of the
     * pipeline's CPU samples in the bench's profiles.
     */
    private AudioPiece checked(TopicPartition partition, String sessionId, ChunkRef ref, byte[] value) {
        AudioChunk chunk = deserializer.deserialize(topic, value);
        if (chunk == null || !sessionId.equals(chunk.getSessionId()) || chunk.getSeq() != ref.seq()
                || chunk.getAudio().remaining() != ref.length()) {
            throw new AudioUnavailableException("AUDIO_MISMATCH", "the record at " + partition + " offset "
                    + ref.offset() + " is not chunk seq " + ref.seq() + " of session '" + sessionId + "' as indexed");
        }
        return new AudioPiece(ref.turnIndex(), chunk.getAudio(), ref.endOfTurn());
    }

    /** The consumer's position, or -1 when it has none (after an out-of-range read). */
    private static long positionOf(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition) {
        try {
            return consumer.position(partition, Duration.ofSeconds(5));
        } catch (KafkaException e) {
            return -1;
        }
    }

    /** Closes the consumers on their own threads; a second call does nothing. */
    @Override
    public void close() {
        for (Lane lane : lanes) {
            if (lane.thread().isShutdown()) {
                continue;
            }
            lane.thread().execute(() -> lane.consumer().close(Duration.ofSeconds(5)));
            lane.thread().shutdown();
        }
    }
}
