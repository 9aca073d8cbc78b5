package dev.streamscribe.client;

import dev.streamscribe.audio.AudioFileDecoder.RawFormat;
import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.records.RunTokens;
import dev.streamscribe.testing.InMemoryRegistryClient;
import dev.streamscribe.topology.Topics;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session lifecycle and what reaches Kafka, on Kafka's own MockProducer (the producer's test double: records
 * are kept in memory and each send is answered by the test). The real broker path is ProducerApiIT.
 */
class SessionStreamTest {
    private static final RawFormat OWN = RawFormat.pcm16Mono24k();
    private final Topics topics = Topics.create(ProducerSettings.load(Map.of("bootstrap.servers", "127.0.0.1:1",
            "schema.registry.url", "http://127.0.0.1:1"), Map.of()).topics(), new InMemoryRegistryClient());
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final SessionPublisher publisher = SessionPublisher.over(producer, topics, Dialect.OPENAI_GA,
            Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC));

    @AfterEach
    void close() {
        publisher.close();
    }

    private static SessionSpec spec(String sessionId) {
        return SessionSpec.builder(sessionId).chunkBytes(4_800).build();
    }

    private List<AudioChunk> chunks() {
        return producer.history().stream().filter(r -> r.topic().equals(topics.audioChunks().name()))
                .map(r -> topics.audioChunks().valueSerde().deserializer().deserialize(r.topic(), r.value())).toList();
    }

    private List<SessionConfig> configs() {
        return producer.history().stream().filter(r -> r.topic().equals(topics.sessionConfigs().name()))
                .map(r -> topics.sessionConfigs().valueSerde().deserializer().deserialize(r.topic(), r.value())).toList();
    }

    @Test
    void publishesChunksAsTheyFillAndTheConfigLastKeyedBySessionId() {
        SessionStream session = publisher.open(spec("call-1"));
        session.append(new byte[9_600], OWN);
        assertEquals(1, chunks().size(), "one full chunk is out; the next is held until its flags are known");
        session.endTurn();
        session.append(new byte[2_400], OWN);
        PublishedSession published = session.end();

        assertEquals(List.of("0:0:-", "1:0:T", "2:1:TS"), chunks().stream().map(c -> c.getSeq() + ":" + c.getTurnIndex()
                + ":" + (c.getEndOfSession() ? "TS" : c.getEndOfTurn() ? "T" : "-")).toList());
        ProducerRecord<byte[], byte[]> last = producer.history().getLast();
        assertEquals(topics.sessionConfigs().name(), last.topic(), "the config comes after every chunk");
        assertEquals("call-1", new String(last.key(), StandardCharsets.UTF_8));
        SessionConfig config = configs().getFirst();
        assertEquals(RunTokens.of(config), config.getRunToken(), "the default run token is the request's hash");
        assertEquals(published.runToken(), config.getRunToken());
        assertEquals(new PublishedSession("call-1", config.getRunToken(), 250, 2, 3, 12_000), published);
        assertEquals(SessionStream.State.ENDED, session.state());
    }

    @Test
    void usesTheCallersRunTokenAndChecksTheConfigAgainstTheDialectWhenItOpens() {
        SessionStream session = publisher.open(SessionSpec.builder("call-1").runToken("attempt-7").build());
        session.append(new byte[480], OWN);
        session.end();
        assertEquals("attempt-7", configs().getFirst().getRunToken());

        SessionPublisher beta = SessionPublisher.over(producer, topics, Dialect.OPENAI_BETA, Clock.systemUTC());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> beta.open(SessionSpec.builder("call-2").build()));
        assertTrue(refused.getMessage().startsWith("session 'call-2' cannot be sent to a openai-beta provider"),
                refused.getMessage());
    }

    @Test
    void aLiveSessionPublishesItsConfigFirstAndEachTurnWhenItEnds() {
        SessionStream session = publisher.open(SessionSpec.builder("call-1").chunkBytes(4_800)
                .start(dev.streamscribe.avro.StartPolicy.AT_FIRST_TURN).build());
        assertEquals(topics.sessionConfigs().name(), producer.history().getFirst().topic(), "the config goes first");
        assertEquals(dev.streamscribe.avro.StartPolicy.AT_FIRST_TURN, configs().getFirst().getStart());
        session.append(new byte[6_000], OWN);
        session.endTurn();
        assertEquals(List.of("0:0:-", "1:0:T"), chunks().stream().map(c -> c.getSeq() + ":" + c.getTurnIndex() + ":"
                + (c.getEndOfSession() ? "TS" : c.getEndOfTurn() ? "T" : "-")).toList(), "turn 0 is out, whole");
        PublishedSession published = session.end();
        assertEquals(3, chunks().size());
        AudioChunk end = chunks().getLast();
        assertTrue(end.getEndOfSession() && end.getAudio().remaining() == 0 && end.getTurnIndex() == 1,
                "an empty chunk ends the session after the last turn went out");
        assertEquals(1, configs().size(), "no second config at the end");
        assertEquals(1, published.turns());
    }

    @Test
    void abortPublishesAMarkerAfterTheChunksAndEndsTheSession() {
        SessionStream session = publisher.open(spec("call-1"));
        session.append(new byte[14_400], OWN);
        session.abort("caller hung up");
        List<AudioChunk> chunks = chunks();
        AudioChunk marker = chunks.getLast();
        assertEquals("caller hung up", marker.getAbort());
        assertEquals(2, marker.getSeq(), "after the two chunks sent (the third was held back and is dropped)");
        assertEquals(0, marker.getAudio().remaining());
        assertTrue(configs().isEmpty(), "no config: the session never becomes complete");
        assertEquals(SessionStream.State.ABORTED, session.state());
        session.abort("again"); // aborting an aborted session does nothing
        assertEquals(3, chunks().size());
        IllegalStateException late = assertThrows(IllegalStateException.class, () -> session.append(new byte[2], OWN));
        assertTrue(late.getMessage().contains("it is ABORTED"), late.getMessage());
    }

    @Test
    void abortingASessionNothingOfWhichWasSentPublishesNothing() {
        SessionStream session = publisher.open(spec("call-1"));
        session.append(new byte[100], OWN); // held back, never sent
        session.close();
        assertEquals(SessionStream.State.ABORTED, session.state());
        assertTrue(producer.history().isEmpty());
    }

    @Test
    void endWithoutAudioIsRefusedAndLeavesTheSessionOpen() {
        SessionStream session = publisher.open(spec("call-1"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, session::end);
        assertTrue(refused.getMessage().contains("has no audio"), refused.getMessage());
        assertEquals(SessionStream.State.OPEN, session.state());
        assertTrue(producer.history().isEmpty());
    }

    @Test
    void anEndedSessionCannotBeAbortedOrEndedAgain() {
        SessionStream session = publisher.open(spec("call-1"));
        session.append(new byte[480], OWN);
        session.end();
        assertTrue(assertThrows(IllegalStateException.class, () -> session.abort("late")).getMessage()
                .contains("from ENDED to ABORTED"));
        assertThrows(IllegalStateException.class, session::end);
        session.close(); // closing an ended session does nothing
        assertNull(chunks().getLast().getAbort());
    }

    @Test
    void aRecordKafkaRefusesFailsTheSessionWithKafkasReasonAndAbortStillEndsIt() throws InterruptedException {
        MockProducer<byte[], byte[]> manual = new MockProducer<>(false, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        SessionPublisher refusing = SessionPublisher.over(manual, topics, Dialect.OPENAI_GA, Clock.systemUTC());
        SessionStream session = refusing.open(spec("call-1"));
        session.append(new byte[9_600], OWN);
        manual.errorNext(new RecordTooLargeException("the record is too large"));
        PublishFailedException failed = assertThrows(PublishFailedException.class, () -> session.append(new byte[2], OWN));
        assertTrue(failed.getMessage().contains("session 'call-1'") && failed.getMessage().contains("too large"),
                failed.getMessage());
        assertEquals(SessionStream.State.FAILED, session.state());
        assertThrows(PublishFailedException.class, session::end);

        Thread acknowledger = Thread.ofVirtual().start(() -> {
            while (!manual.completeNext()) {
                Thread.onSpinWait();
            }
        });
        session.abort("kafka refused a chunk");
        assertEquals(SessionStream.State.ABORTED, session.state());
        assertEquals("kafka refused a chunk", topics.audioChunks().valueSerde().deserializer()
                .deserialize("", manual.history().getLast().value()).getAbort());
        assertTrue(acknowledger.join(java.time.Duration.ofSeconds(10)));
    }

    @Test
    void closingThePublisherAbortsTheSessionsStillOpen() {
        SessionStream open = publisher.open(spec("call-1"));
        open.append(new byte[9_600], OWN);
        SessionStream ended = publisher.open(spec("call-2"));
        ended.append(new byte[480], OWN);
        ended.end();
        publisher.close();
        assertEquals(SessionStream.State.ABORTED, open.state());
        assertEquals(SessionStream.State.ENDED, ended.state());
        assertEquals("closed before end()", chunks().getLast().getAbort());
    }

    @Test
    void sessionsFedFromSeveralThreadsAtOnceAreEachPublishedWhole() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<PublishedSession>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String id = "call-" + t;
            done.add(pool.submit(() -> {
                SessionStream session = publisher.open(spec(id));
                start.await();
                for (int turn = 0; turn < 5; turn++) {
                    for (int piece = 0; piece < 7; piece++) {
                        session.append(new byte[960], OWN);
                    }
                    session.endTurn();
                }
                return session.end();
            }));
        }
        start.countDown();
        for (Future<PublishedSession> future : done) {
            PublishedSession published = future.get();
            assertEquals(5, published.turns());
            assertEquals(5 * 7 * 960, published.audioBytes());
        }
        pool.shutdown();
        for (int t = 0; t < threads; t++) {
            String id = "call-" + t;
            List<AudioChunk> mine = chunks().stream().filter(c -> c.getSessionId().equals(id)).toList();
            assertEquals(java.util.stream.LongStream.range(0, mine.size()).boxed().toList(),
                    mine.stream().map(AudioChunk::getSeq).toList(), id + ": seqs contiguous and in order");
            assertEquals(1, mine.stream().filter(AudioChunk::getEndOfSession).count());
            assertEquals(5, mine.stream().filter(AudioChunk::getEndOfTurn).count());
        }
        assertEquals(threads, configs().size());
    }
}
