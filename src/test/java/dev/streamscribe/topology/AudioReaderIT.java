package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.realtime.driver.AudioPiece;
import dev.streamscribe.realtime.driver.AudioUnavailableException;
import dev.streamscribe.testing.KafkaFixture;
import dev.streamscribe.testing.SharedInfrastructure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Reading audio back by claim check from a real broker: in order, one chunk per request, and AUDIO_EXPIRED when deleted. */
class AudioReaderIT {
    private final KafkaFixture kafka = SharedInfrastructure.kafka();
    private final Topics topics = Topics.create(new PipelineConfig.Topics("c", "reader-" + UUID.randomUUID(),
            "t", "r", "sr", "dl"), SharedInfrastructure.registry().client());

    private List<ChunkRef> produce(String session, int count) throws Exception {
        kafka.createTopics(topics.audioChunks().name());
        List<ChunkRef> refs = new ArrayList<>();
        try (var producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                topics.audioChunks().keySerde().serializer(), topics.audioChunks().valueSerde().serializer())) {
            for (int seq = 0; seq < count; seq++) {
                byte[] audio = new byte[4_800];
                Arrays.fill(audio, (byte) seq);
                RecordMetadata at = producer.send(new ProducerRecord<>(topics.audioChunks().name(), session,
                        AudioChunk.newBuilder().setSessionId(session).setSeq(seq).setTurnIndex(0)
                                .setAudio(ByteBuffer.wrap(audio)).setEndOfTurn(seq == count - 1)
                                .setEndOfSession(seq == count - 1).build())).get();
                refs.add(new ChunkRef(seq, at.partition(), at.offset(), audio.length, ChunkRef.digestOf(ByteBuffer.wrap(audio)),
                        0, seq == count - 1, seq == count - 1));
            }
        }
        return refs;
    }

    /** A reader of this test's audio topic, one lane. */
    private AudioReader reader() {
        return new AudioReader(Map.of("bootstrap.servers", kafka.bootstrapServers()), topics.audioChunks().name(),
                topics.audioChunks().valueSerde().deserializer(), 1);
    }

    /** {@code piece} holds the audio {@link #produce} wrote for {@code seq}: 4,800 bytes of the seq's value. */
    private static void assertChunkAudio(int seq, AudioPiece piece) {
        byte[] bytes = new byte[piece.audio().remaining()];
        piece.audio().duplicate().get(bytes);
        byte[] expected = new byte[4_800];
        Arrays.fill(expected, (byte) seq);
        assertArrayEquals(expected, bytes, "seq " + seq);
    }

    /** Subscribes, requests one piece at a time, and collects what arrives. */
    private static CompletableFuture<List<AudioPiece>> drain(Flow.Publisher<AudioPiece> publisher) {
        CompletableFuture<List<AudioPiece>> done = new CompletableFuture<>();
        List<AudioPiece> pieces = new CopyOnWriteArrayList<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(AudioPiece item) {
                pieces.add(item);
                subscription.request(1);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }

            @Override
            public void onComplete() {
                done.complete(pieces);
            }
        });
        return done;
    }

    @Test
    void shouldStreamTheSessionsChunksInSeqOrder() throws Exception {
        List<ChunkRef> refs = produce("s1", 5);
        try (AudioReader reader = reader()) {
            List<AudioPiece> pieces = drain(reader.open("s1", refs)).get(30, TimeUnit.SECONDS);
            assertEquals(5, pieces.size());
            for (int seq = 0; seq < 5; seq++) {
                assertChunkAudio(seq, pieces.get(seq));
            }
            assertEquals(true, pieces.get(4).endOfTurn());
        }
    }

    @Test
    void chunksAFetchBroughtAlongAreServedWithoutFetchingThemAgain() throws Exception {
        List<ChunkRef> refs = produce("s3", 4);
        try (AudioReader reader = reader()) {
            // read the last chunk first: the fetch at its offset brings nothing along; then from the start
            List<AudioPiece> last = drain(reader.open("s3", refs.subList(3, 4))).get(30, TimeUnit.SECONDS);
            assertEquals(1, last.size());
            List<AudioPiece> pieces = drain(reader.open("s3", refs.subList(0, 3))).get(30, TimeUnit.SECONDS);
            assertEquals(3, pieces.size());
            for (int seq = 0; seq < 3; seq++) {
                assertChunkAudio(seq, pieces.get(seq));
            }
            assertEquals(2, reader.fetchedAlongReads(), "seq 1 and 2 came with the fetch of seq 0");
        }
    }

    @Test
    void aClaimCheckThatNamesAnotherChunkFailsAsAMismatch() throws Exception {
        List<ChunkRef> refs = produce("s4", 2);
        ChunkRef second = refs.get(1);
        ChunkRef otherSeq = new ChunkRef(0, second.partition(), second.offset(), second.length(), second.digest(), 0,
                false, false);
        ChunkRef otherLength = new ChunkRef(1, second.partition(), second.offset(), second.length() - 2,
                second.digest(), 0, true, true);
        try (AudioReader reader = reader()) {
            for (ChunkRef wrong : List.of(otherSeq, otherLength)) {
                var error = Assertions.assertThrows(ExecutionException.class,
                        () -> drain(reader.open("s4", List.of(wrong))).get(30, TimeUnit.SECONDS), wrong.toString());
                AudioUnavailableException cause = assertInstanceOf(AudioUnavailableException.class, error.getCause());
                assertEquals("AUDIO_MISMATCH", cause.reason(), wrong.toString());
            }
            var error = Assertions.assertThrows(ExecutionException.class,
                    () -> drain(reader.open("another-session", List.of(second))).get(30, TimeUnit.SECONDS));
            assertEquals("AUDIO_MISMATCH", assertInstanceOf(AudioUnavailableException.class, error.getCause()).reason());
        }
    }

    @Test
    void shouldReportAudioDeletedByRetentionAsExpired() throws Exception {
        List<ChunkRef> refs = produce("s2", 4);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.deleteRecords(Map.of(new TopicPartition(topics.audioChunks().name(), refs.getFirst().partition()),
                    RecordsToDelete.beforeOffset(refs.get(2).offset()))).all().get(30, TimeUnit.SECONDS);
        }
        try (AudioReader reader = reader()) {
            var error = Assertions.assertThrows(ExecutionException.class,
                    () -> drain(reader.open("s2", refs)).get(30, TimeUnit.SECONDS));
            AudioUnavailableException expired = assertInstanceOf(AudioUnavailableException.class, error.getCause());
            assertEquals("AUDIO_EXPIRED", expired.reason());
        }
    }
}
