package dev.streamscribe.realtime.server;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/** What every connection of one local server shares. */
record ServerContext(SpeechEngine engine, ResponseEngine responses, Executor executor, ScheduledExecutorService timer,
                     Duration responseDuration, Duration maxSessionDuration, int maxEventBytes,
                     AtomicInteger openSessions, AtomicInteger commitsAccepted, AtomicInteger itemsCreated,
                     Optional<Map<String, LocalRealtimeServer.CommittedAudio>> committedAudio) {
    /** Audio appended without a commit is capped: the server never buffers without bound. */
    static final int MAX_BUFFER_BYTES = 64 * 1024 * 1024;

    /**
     * Text messages larger than this close the connection with 1009: room above the per-event limit, so an
     * oversized event is answered with an error event, not a dropped socket.
     */
    long maxTextMessageBytes() {
        return 2L * maxEventBytes;
    }
}
