package dev.streamscribe.bench;

import dev.streamscribe.audio.AudioFileDecoder.RawFormat;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.StartPolicy;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.client.SessionPublisher;
import dev.streamscribe.client.SessionSpec;
import dev.streamscribe.client.SessionStream;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.results.TopicWatcher;
import org.apache.kafka.clients.producer.Producer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.streamscribe.bench.BenchWorkload.BYTES_PER_SECOND;

/**
 * Phase 7: live sessions (start AT_FIRST_TURN) published through the producer API at real time, in 100 ms pieces,
 * beside a batch backlog: batch sessions arrive at 1.25 times the rate the slots can serve them, from before the
 * first live session until the last one ends, and have taken every slot when the live sessions start. The server
 * takes {@link #providerTime} for every transcript (so batch sessions hold their slots); for every live turn, the
 * time from Kafka's acknowledgement of its last chunk to its TranscriptionEvent readable with read_committed, minus
 * that time, is the pipeline's (assembler, admission, connection, audio read, drain, commit) and the wait for a
 * slot. Turn 0 of each session is reported apart: it needs a slot, and with every slot taken that is the next batch
 * session's end (admission never takes a slot back); later turns go on the session's open connection.
 *
 * <p>Threading: the bench's thread reads the events; a scheduler publishes the sessions' pieces and the batch
 * sessions; acknowledgements are noted on the producer's I/O thread (concurrent maps).
 */
final class LivePhase {
    private static final int PIECE_MS = 100;
    private static final RawFormat OWN = RawFormat.pcm16Mono24k();
    /** Slots beyond one per live session: the batch sessions' share once the live sessions have theirs. */
    private static final int BATCH_SLOTS = 16;
    /** A batch session's audio: short, since what keeps its slot is the server's time. */
    private static final int BATCH_AUDIO_MS = 100;
    private final PhaseContext context;

    LivePhase(PhaseContext context) {
        this.context = context;
    }

    /** The server's time per transcript: two and a half live turns, so a batch session holds its slot that long. */
    private static Duration providerTime(BenchSettings settings) {
        return Duration.ofMillis(settings.liveTurnMs() * 5L / 2);
    }

    void run() throws Exception {
        BenchSettings settings = context.settings();
        Duration providerTime = providerTime(settings);
        ChildJvm server = context.stack().server("server-live", providerTime);
        // a live session keeps its connection (and slot) between turns for up to realtime.live-idle-close-ms (30 s,
        // longer than the turns here), so the phase gives each a slot and the batch sessions the rest
        int slots = settings.liveSessions() + BATCH_SLOTS;
        long batchEveryMicros = providerTime.toNanos() / 1_000 * 4 / (5L * slots);
        try (BenchPipeline pipeline = context.stack().pipeline("live", server, slots);
             TopicWatcher<TranscriptionEvent> events = new TopicWatcher<>(pipeline.clients(),
                     pipeline.topics().transcriptions().name(), pipeline.topics().transcriptions().valueSerde().deserializer());
             TopicWatcher<SessionResult> results = pipeline.results();
             Producer<byte[], byte[]> producer = context.stack().producer()) {
            SessionPublisher publisher = SessionPublisher.over(producer, pipeline.topics(), Dialect.OPENAI_GA,
                    Clock.systemUTC());
            Map<String, Long> acknowledged = new ConcurrentHashMap<>(); // "session/turn" -> nanos
            Map<String, Long> seen = new ConcurrentHashMap<>();
            ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(4,
                    Thread.ofPlatform().name("bench-live-", 0).daemon().factory());
            AtomicInteger batchSessions = new AtomicInteger();
            List<Future<?>> sessions = new ArrayList<>();
            Map<String, Double> cpuBefore;
            long started;
            try {
                Future<?> batch = scheduler.scheduleAtFixedRate(() -> publishBatch(publisher,
                        "batch-" + batchSessions.getAndIncrement()), 0, batchEveryMicros, TimeUnit.MICROSECONDS);
                awaitEverySlotTaken(pipeline, slots);
                cpuBefore = context.stack().cpu(pipeline.jvm(), server);
                started = System.nanoTime();
                for (int i = 0; i < settings.liveSessions(); i++) {
                    // starts spread over one turn, so the sessions' turns do not all end in the same instant
                    long offsetMs = (long) i * settings.liveTurnMs() / settings.liveSessions();
                    sessions.add(publishLive(scheduler, publisher, "live-" + i, i, offsetMs, acknowledged));
                }
                int turns = settings.liveSessions() * settings.liveTurns();
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos()
                        + Duration.ofMillis((long) settings.liveTurns() * settings.liveTurnMs() * 2).toNanos();
                while (seen.size() < turns && System.nanoTime() < deadline) {
                    events.poll(Duration.ofMillis(10));
                    long now = System.nanoTime();
                    events.seen().forEach((session, list) -> {
                        if (session.startsWith("live-")) { // not the batch sessions, nor the warm-up session
                            list.forEach(event -> seen.putIfAbsent(session + "/" + event.getTurnIndex(), now));
                        }
                    });
                }
                for (Future<?> session : sessions) {
                    session.get(1, TimeUnit.MINUTES);
                }
                batch.cancel(false);
                // let a batch session being published finish: interrupting it would abort it (EXPIRED, ABORTED)
                scheduler.shutdown();
                if (!scheduler.awaitTermination(1, TimeUnit.MINUTES)) {
                    throw new TimeoutException("live: the last batch session was not published within a minute");
                }
            } finally {
                scheduler.shutdownNow(); // on a failure above: stop publishing at once
            }
            double wallSeconds = (System.nanoTime() - started) / 1e9;
            String cpuUse = BenchWorkload.cpuUse(cpuBefore, context.stack().cpu(pipeline.jvm(), server));
            Map<String, SessionResult> done = BenchWorkload.awaitResults(results, id -> !BenchWorkload.isWarmUp(id),
                    settings.liveSessions() + batchSessions.get(), Duration.ofMinutes(5));
            BenchWorkload.requireCompleted(done, "live");
            List<Double> first = new ArrayList<>();
            List<Double> later = new ArrayList<>();
            acknowledged.forEach((turn, ackNanos) -> {
                Long at = seen.get(turn);
                if (at == null) {
                    throw new IllegalStateException("live: turn " + turn + " has no TranscriptionEvent");
                }
                double addedMs = Math.max(0, at - ackNanos) / 1e6 - providerTime.toMillis();
                (turn.endsWith("/0") ? first : later).add(addedMs);
            });
            first.sort(Double::compare);
            later.sort(Double::compare);
            double p50 = BenchWorkload.percentile(later, 50);
            double p99 = BenchWorkload.percentile(later, 99);
            double connections = done.entrySet().stream().filter(e -> e.getKey().startsWith("live-"))
                    .mapToInt(e -> e.getValue().getConnections()).average().orElse(0);
            String workload = settings.liveSessions() + " live sessions x " + settings.liveTurns() + " turns of "
                    + settings.liveTurnMs() + " ms at 1x beside " + batchSessions.get() + " batch sessions arriving at "
                    + "1.25x what the slots serve, every slot taken first; server " + providerTime.toMillis()
                    + " ms per transcript (subtracted), commit interval " + settings.commitInterval().toMillis()
                    + " ms, " + slots + " slots";
            context.report().row(new BenchReport.Row("7 live latency", workload + "; turns 1 and later",
                    String.format(Locale.ROOT, "last chunk acknowledged -> TranscriptionEvent readable, minus the "
                            + "server's time: p50 %.0f ms, p99 %.0f ms; %.1f connections per live session; CPU s in "
                            + "%.1f s wall: %s", p50, p99, connections, wallSeconds, cpuUse),
                    "the server's " + providerTime.toMillis() + " ms per transcript, subtracted", null,
                    "p99 <= 250 ms", p99 <= 250));
            context.report().row(new BenchReport.Row("7 live latency", workload + "; turn 0 (waits for the next "
                    + "slot a batch session frees)", String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms",
                    BenchWorkload.percentile(first, 50), BenchWorkload.percentile(first, 99)),
                    "as above", null, null, null));
            context.report().headline("liveAddedLatencyP50Ms", BenchWorkload.round(p50));
            context.report().headline("liveAddedLatencyP99Ms", BenchWorkload.round(p99));
            context.report().headline("liveFirstTurnP99Ms", BenchWorkload.round(BenchWorkload.percentile(first, 99)));
            context.progress().accept(String.format(Locale.ROOT, "live: later turns p50 %.0f ms, p99 %.0f ms; turn 0 "
                    + "p99 %.0f ms; %.1f connections per live session", p50, p99,
                    BenchWorkload.percentile(first, 99), connections));
        } finally {
            server.close();
        }
    }

    /** Waits until the batch sessions hold every slot of the pipeline (its in-flight gauge). */
    private static void awaitEverySlotTaken(BenchPipeline pipeline, int slots) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        for (double inFlight = 0; inFlight < slots; inFlight = pipeline.metric("streamscribe_sessions_in_flight")) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("live: the batch sessions did not take all " + slots + " slots in 2 min ("
                        + inFlight + " in flight)");
            }
            Thread.sleep(50); // polling another process's gauge: nothing to wait on here
        }
    }

    /** One batch session (start AT_END): one turn of {@link #BATCH_AUDIO_MS}, published whole. */
    private static void publishBatch(SessionPublisher publisher, String sessionId) {
        byte[] audio = new byte[BYTES_PER_SECOND / 1000 * BATCH_AUDIO_MS];
        new Random(sessionId.hashCode()).nextBytes(audio);
        try (SessionStream session = publisher.open(SessionSpec.builder(sessionId)
                .chunkBytes(BenchWorkload.CHUNK_BYTES).build())) {
            session.append(audio, OWN);
            session.end();
        }
    }

    /**
     * Publishes one live session at real time: each turn in 100 ms pieces, one piece per 100 ms, then its end; notes
     * when Kafka acknowledged each turn's last byte.
     */
    private Future<?> publishLive(ScheduledExecutorService scheduler, SessionPublisher publisher, String sessionId,
                                  long seed, long offsetMs, Map<String, Long> acknowledged) {
        BenchSettings settings = context.settings();
        int pieceBytes = BYTES_PER_SECOND / 1000 * PIECE_MS;
        int piecesPerTurn = settings.liveTurnMs() / PIECE_MS;
        long[] turnEnds = new long[settings.liveTurns()];
        for (int turn = 0; turn < turnEnds.length; turn++) {
            turnEnds[turn] = (long) (turn + 1) * piecesPerTurn * pieceBytes;
        }
        SessionStream session = publisher.open(SessionSpec.builder(sessionId).start(StartPolicy.AT_FIRST_TURN)
                .chunkBytes(BenchWorkload.CHUNK_BYTES).build(), audioBytes -> {
                    long now = System.nanoTime();
                    for (int turn = 0; turn < turnEnds.length; turn++) {
                        if (audioBytes >= turnEnds[turn]) {
                            acknowledged.putIfAbsent(sessionId + "/" + turn, now);
                        }
                    }
                });
        Random random = new Random(seed);
        int totalPieces = piecesPerTurn * settings.liveTurns();
        int[] next = {0};
        java.util.concurrent.CompletableFuture<Void> finished = new java.util.concurrent.CompletableFuture<>();
        scheduler.scheduleAtFixedRate(() -> {
            try {
                byte[] piece = new byte[pieceBytes];
                random.nextBytes(piece);
                session.append(piece, OWN);
                next[0]++;
                if (next[0] % piecesPerTurn == 0) {
                    session.endTurn();
                }
                if (next[0] == totalPieces) {
                    session.end();
                    finished.complete(null);
                    throw new FinishedPublishing(); // ends the periodic task

                }
            } catch (FinishedPublishing done) {
                throw done;
            } catch (RuntimeException e) {
                finished.completeExceptionally(e);
                throw e; // a periodic task that throws is not run again
            }
        }, offsetMs, PIECE_MS, TimeUnit.MILLISECONDS);
        return finished;
    }

    /** Thrown by a session's periodic task after its last piece: a periodic task that throws is not run again. */
    private static final class FinishedPublishing extends RuntimeException {
        FinishedPublishing() {
            super(null, null, false, false);
        }
    }
}
