package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.testing.Await;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A long session never has its audio all in memory: the assembler keeps claim checks and the driver pulls one
 * chunk at a time. One pipeline runs a 1-minute session and then a 10-minute one while a sampler records the
 * live heap after forced collections; the 10-minute session may not need materially more heap than the
 * 1-minute one (the pipeline's fixed cost cancels out in the comparison). A benchmark, not this test, reports
 * the precise figures.
 */
@Isolated("measures this JVM's heap: no other test may run beside it")
class LongSessionMemoryIT {
    private static final int CHUNK = 48_000; // one second of pcm16 at 24 kHz
    private static final int TURN_SECONDS = 10;

    @TempDir
    Path stateDir;

    private static long liveHeap() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    @Test
    void shouldNeedNoMoreHeapForATenMinuteSessionThanForAOneMinuteOne() throws Exception {
        var kafka = SharedInfrastructure.kafka();
        String prefix = "long-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options.defaults(new DeterministicSpeechEngine()))) {
            var config = ConfigLoader.fromMap(Map.of("application.id", prefix + "app", "bootstrap.servers", kafka.bootstrapServers(),
                    "schema.registry.url", SharedInfrastructure.registry().url(),
                    "realtime.url", server.url(Dialect.OPENAI_GA).toString(), "topic.prefix", prefix,
                    "topic.partitions", "1", "state.dir", stateDir.toString(), "operations.port", "0"), Map.of());
            try (StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of())) {
                Topics topics = pipeline.topics();
                Await.until(() -> pipeline.backlog().map(StreamscribePipeline.Backlog::drained).orElse(false),
                        Duration.ofSeconds(60), "the pipeline RUNNING with its tasks assigned and nothing to do");
                long baseline = liveHeap();
                long oneMinute = peakWhile(() -> runSession(kafka.bootstrapServers(), topics, "one", 60)) - baseline;
                long tenMinutes = peakWhile(() -> runSession(kafka.bootstrapServers(), topics, "ten", 600)) - baseline;
                long extraAudio = (600L - 60) * CHUNK;
                System.out.printf("live heap growth over the idle pipeline: 1-minute session %.1f MB, 10-minute session "
                        + "%.1f MB (%.1f MB more audio)%n", oneMinute / 1e6, tenMinutes / 1e6, extraAudio / 1e6);
                // Holding the session's audio would add at least the extra 25.9 MB; peaks of single samples vary by a
                // few MB with what is in flight at the moment of collection (measured: +2.8 to +7.0 MB), hence half.
                assertTrue(tenMinutes - oneMinute < extraAudio / 2, "the 10-minute session needed " + (tenMinutes - oneMinute)
                        + " bytes more heap than the 1-minute one, for " + extraAudio + " bytes more audio");
            }
        }
    }

    /**
     * The peak of the live heap, sampled every second while {@code work} runs (a sampling rate, not a wait). Each
     * sample is a full collection that stops the in-JVM broker too: sampled every 200 ms, a large heap left collections
     * back to back, the broker's controller missed its heartbeats, fenced the broker, and the session never finished.
     */
    private static long peakWhile(Runnable work) throws InterruptedException {
        AtomicLong peak = new AtomicLong();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> peak.accumulateAndGet(liveHeap(), Math::max), 0, 1, TimeUnit.SECONDS);
        try {
            work.run();
        } finally {
            sampler.shutdown();
            sampler.awaitTermination(10, TimeUnit.SECONDS);
        }
        peak.accumulateAndGet(liveHeap(), Math::max);
        return peak.get();
    }

    private static void runSession(String bootstrap, Topics topics, String id, int seconds) {
        // a producer with a small buffer, so the test's own memory stays out of the comparison
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 1024 * 1024, ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        byte[] audio = new byte[CHUNK];
        Random random = new Random(id.hashCode());
        try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(),
                topics.sessionConfigs().valueSerde().serializer());
             var producer = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(),
                     topics.audioChunks().valueSerde().serializer())) {
            configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), id, TestConfigs.transcription(Dialect.OPENAI_GA, id)));
            for (int seq = 0; seq < seconds; seq++) {
                random.nextBytes(audio);
                producer.send(new ProducerRecord<>(topics.audioChunks().name(), id, AudioChunk.newBuilder()
                        .setSessionId(id).setSeq(seq).setTurnIndex(seq / TURN_SECONDS)
                        .setAudio(ByteBuffer.wrap(audio.clone())).setEndOfTurn((seq + 1) % TURN_SECONDS == 0)
                        .setEndOfSession(seq == seconds - 1).build()));
            }
        }
        SessionResult result = awaitResult(bootstrap, topics, id);
        assertEquals(SessionStatus.COMPLETED, result.getStatus(), result.toString());
        assertEquals(seconds / TURN_SECONDS, result.getTurnsCompleted());
    }

    private static SessionResult awaitResult(String bootstrap, Topics topics, String id) {
        try (var watcher = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", bootstrap),
                topics.sessionResults().name(), topics.sessionResults().valueSerde().deserializer())) {
            List<SessionResult> results = watcher.awaitUntil(seen -> seen.containsKey(id), Duration.ofMinutes(3))
                    .getOrDefault(id, List.of());
            if (results.isEmpty()) {
                throw new AssertionError("no SessionResult for " + id + " within 3 minutes");
            }
            return results.getFirst();
        }
    }
}
