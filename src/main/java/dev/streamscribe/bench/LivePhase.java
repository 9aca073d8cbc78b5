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

import static dev.streamscribe.bench.BenchWorkload.BYTES_PER_SECOND;
import static dev.streamscribe.bench.BenchWorkload.WARM_UP;

/**
 * Phase 7: live sessions (start AT_FIRST_TURN) published through the producer API at real time, in 100 ms pieces,
 * against an instant server, with a slot for every live session (each holds one while its connection waits): for every turn, the time from Kafka's acknowledgement of its last chunk to its
 * TranscriptionEvent readable with read_committed. The instant server takes no time of its own, so nothing is
 * subtracted; what is measured is the pipeline's (assembler, dispatch, connection, audio read, drain, commit).
 *
 * <p>Threading: the bench's thread reads the events; a scheduler publishes the sessions' pieces; acknowledgements
 * are noted on the producer's I/O thread (concurrent maps).
 */
final class LivePhase {
    private static final int PIECE_MS = 100;
    private static final RawFormat OWN = RawFormat.pcm16Mono24k();
    private final PhaseContext context;

    LivePhase(PhaseContext context) {
        this.context = context;
    }

    void run() throws Exception {
        BenchSettings settings = context.settings();
        ChildJvm server = context.stack().server("server-live", Duration.ZERO);
        // a live session holds its slot while its connection waits for the next turn: enough slots for all of them
        // (slots per connection, with priority for live turns, are still to come)
        int slots = settings.liveSessions() + 16;
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
            List<Future<?>> sessions = new ArrayList<>();
            Map<String, Double> cpuBefore = context.stack().cpu(pipeline.jvm(), server);
            long started = System.nanoTime();
            try {
                for (int i = 0; i < settings.liveSessions(); i++) {
                    // starts spread over one turn, so the sessions' turns do not all end in the same instant
                    long offsetMs = (long) i * settings.liveTurnMs() / settings.liveSessions();
                    sessions.add(publishLive(scheduler, publisher, "live-" + i, i, offsetMs, acknowledged));
                }
                int turns = settings.liveSessions() * settings.liveTurns();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos()
                        + Duration.ofMillis((long) settings.liveTurns() * settings.liveTurnMs() * 2).toNanos();
                while (seen.size() < turns && System.nanoTime() < deadline) {
                    events.poll(Duration.ofMillis(10));
                    long now = System.nanoTime();
                    events.seen().forEach((session, list) -> {
                        if (session.startsWith("live-")) { // not the pipeline's warm-up session
                            list.forEach(event -> seen.putIfAbsent(session + "/" + event.getTurnIndex(), now));
                        }
                    });
                }
                for (Future<?> session : sessions) {
                    session.get(1, TimeUnit.MINUTES);
                }
            } finally {
                scheduler.shutdownNow();
            }
            Map<String, SessionResult> done = BenchWorkload.awaitResults(results, id -> !WARM_UP.equals(id),
                    settings.liveSessions(), Duration.ofMinutes(2));
            BenchWorkload.requireCompleted(done, "live");
            String cpuUse = BenchWorkload.cpuUse(cpuBefore, context.stack().cpu(pipeline.jvm(), server));
            double wallSeconds = (System.nanoTime() - started) / 1e9;
            List<Double> added = new ArrayList<>();
            acknowledged.forEach((turn, ackNanos) -> {
                Long at = seen.get(turn);
                if (at == null) {
                    throw new IllegalStateException("live: turn " + turn + " has no TranscriptionEvent");
                }
                added.add(Math.max(0, at - ackNanos) / 1e6);
            });
            added.sort(Double::compare);
            double p50 = BenchWorkload.percentile(added, 50);
            double p99 = BenchWorkload.percentile(added, 99);
            double connections = done.values().stream().mapToInt(SessionResult::getConnections).average().orElse(0);
            context.report().row(new BenchReport.Row("7 live latency", settings.liveSessions() + " live sessions x "
                    + settings.liveTurns() + " turns of " + settings.liveTurnMs() + " ms at 1x, instant server, commit "
                    + "interval " + settings.commitInterval().toMillis() + " ms, " + slots + " slots; no batch backlog "
                    + "(live turns have no slot priority yet)",
                    String.format(Locale.ROOT, "last chunk acknowledged -> TranscriptionEvent readable: p50 %.0f ms, "
                            + "p99 %.0f ms; %.1f connections per session; CPU s in %.1f s wall: %s", p50, p99,
                            connections, wallSeconds, cpuUse),
                    "the instant server's own time is ~0 (nothing subtracted)", null, "p99 <= 250 ms", p99 <= 250));
            context.report().headline("liveAddedLatencyP50Ms", BenchWorkload.round(p50));
            context.report().headline("liveAddedLatencyP99Ms", BenchWorkload.round(p99));
            context.progress().accept(String.format(Locale.ROOT, "live: p50 %.0f ms, p99 %.0f ms, %.1f connections "
                    + "per session", p50, p99, connections));
        } finally {
            server.close();
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
