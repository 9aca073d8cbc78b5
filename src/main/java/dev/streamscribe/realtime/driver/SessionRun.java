package dev.streamscribe.realtime.driver;

import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.RealtimeEndpoint;
import dev.streamscribe.realtime.driver.ErrorClassifier.Purpose;
import dev.streamscribe.realtime.event.ClientEvent;
import dev.streamscribe.realtime.event.InvalidSessionConfigException;
import dev.streamscribe.realtime.event.ServerEvent;
import dev.streamscribe.realtime.event.SessionSettings;
import dev.streamscribe.realtime.transport.JettyWebSocketTransport;
import dev.streamscribe.realtime.transport.RealtimeTransport;
import dev.streamscribe.realtime.transport.RealtimeTransport.RealtimeConnection;
import dev.streamscribe.realtime.transport.UpgradeRefusedException;
import dev.streamscribe.realtime.wire.DialectCodec;
import dev.streamscribe.realtime.wire.MalformedEventException;
import dev.streamscribe.util.SerialExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One session attempt: the protocol state machine of docs/architecture.md section 5 and docs/protocol.md sections 3, 4, 5, 7, 10.
 *
 * <pre>
 * CONNECTING -open-> CONFIGURING (full session.update sent at once; session.created accepted in any order or never)
 *   -session.updated-> STREAMING: per turn, one append per piece (<= 256 KiB, sample-aligned), pulled one at a time
 *   -end of turn-> AWAITING_COMMIT (commit; wait for its committed or its error: a failed commit's error arrives late)
 *   -committed-> AWAITING_RESPONSE (response.create when the turn asks; one active response at a time)
 *   -response.done / no response-> STREAMING (next turn; ROTATING to a new socket first when the connection is old)
 *   -audio complete-> DRAINING (every item transcribed or failed, every response done) -> close 1000 -> DONE
 * </pre>
 * Transcriptions are keyed by item id and may complete in any order, also after response.done.
 *
 * <p>Threading: every method below runs on the session's {@link SerialExecutor}: socket callbacks, audio
 * signals and timers are re-submitted there, so no field needs a lock and no thread waits. Events from a
 * replaced connection are dropped by generation.
 */
final class SessionRun {
    private static final Logger log = LoggerFactory.getLogger(SessionRun.class);
    /** One append carries at most this much audio (docs/architecture.md section 5): far below the 15 MiB event limit. */
    static final int MAX_APPEND_BYTES = 256 * 1024;
    private static final int CLOSE_NORMAL = 1000;
    private static final int APPEND_IDS_REMEMBERED = 4096;

    private enum Phase { CONNECTING, CONFIGURING, STREAMING, AWAITING_COMMIT, AWAITING_RESPONSE, ROTATING, DRAINING, DONE }

    private final SessionRequest request;
    private final Flow.Publisher<AudioPiece> audio;
    private final RealtimeEndpoint endpoint;
    private final DialectCodec codec;
    private final RealtimeTransport transport;
    private final DriverSettings settings;
    private final SerialExecutor serial;
    private final ScheduledExecutorService timer;
    private final CompletableFuture<SessionOutcome> outcome = new CompletableFuture<>();

    private SessionSettings sessionSettings;
    private Phase phase = Phase.CONNECTING;
    private RealtimeConnection connection;
    private int generation;
    private long connectionOpenedNanos;
    private boolean closingOnPurpose;
    private int rotations;
    private int unknownEvents;
    private int eventCounter;
    private final List<String> providerSessionIds = new ArrayList<>();
    private Optional<String> currentProviderSessionId = Optional.empty();

    private final Map<Integer, TurnState> turns = new TreeMap<>();
    private final Map<String, TurnState> turnsByItem = new HashMap<>();
    private final Map<String, ServerEvent> earlyItemEvents = new HashMap<>();
    private final Map<String, Correlation> controlEvents = new HashMap<>();
    private final Map<String, Correlation> appendEvents = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Correlation> eldest) {
            return size() > APPEND_IDS_REMEMBERED;
        }
    };
    private TurnState pendingCommit;
    private ResponseState activeResponse;
    private final List<ResponseResult> responses = new ArrayList<>();

    private Flow.Subscription subscription;
    private boolean audioComplete;
    /** A piece is being appended: completion of the audio must wait until it is (onComplete needs no demand). */
    private boolean pieceInFlight;
    private AudioPiece heldPiece;
    private int turnsOnConnection;
    private ScheduledFuture<?> waitTimer;
    private ScheduledFuture<?> sessionTimer;

    private record Correlation(Purpose purpose, int turnIndex) {
    }

    private static final class TurnState {
        final TurnSpec spec;
        long bytesAppended;
        boolean started;
        boolean endSeen;
        String itemId;
        int generation;
        TurnResult result;
        ScheduledFuture<?> itemTimer;

        TurnState(TurnSpec spec) {
            this.spec = spec;
        }
    }

    private static final class ResponseState {
        final TurnState turn;
        String responseId;
        final StringBuilder text = new StringBuilder();
        final StringBuilder audioTranscript = new StringBuilder();

        ResponseState(TurnState turn) {
            this.turn = turn;
        }
    }

    private final java.util.function.Consumer<List<dev.streamscribe.realtime.event.RateLimit>> rateLimits;

    SessionRun(SessionRequest request, Flow.Publisher<AudioPiece> audio, RealtimeEndpoint endpoint, DialectCodec codec,
               RealtimeTransport transport, DriverSettings settings, SerialExecutor serial,
               ScheduledExecutorService timer, java.util.function.Consumer<List<dev.streamscribe.realtime.event.RateLimit>> rateLimits) {
        this.rateLimits = rateLimits;
        this.request = request;
        this.audio = audio;
        this.endpoint = endpoint;
        this.codec = codec;
        this.transport = transport;
        this.settings = settings;
        this.serial = serial;
        this.timer = timer;
        request.turns().forEach(spec -> turns.put(spec.turnIndex(), new TurnState(spec)));
        outcome.whenComplete((result, error) -> {
            if (error instanceof CancellationException) {
                serial.execute(this::abortAfterCancel);
            }
        });
    }

    CompletableFuture<SessionOutcome> outcome() {
        return outcome;
    }

    void start() {
        serial.execute(() -> {
            try {
                sessionSettings = SessionSettings.from(request.config(), endpoint.dialect());
            } catch (InvalidSessionConfigException e) {
                fail(Classification.permanent("CONFIG_ERROR", e.getMessage()));
                return;
            }
            if (turns.isEmpty()) {
                fail(Classification.permanent("NO_AUDIO", "the session has no turns"));
                return;
            }
            sessionTimer = schedule(settings.sessionTimeout(), () -> fail(Classification.transientFailure(
                    "SESSION_TIMEOUT", "session attempt exceeded " + settings.sessionTimeout().toSeconds() + " s")));
            connect();
        });
    }

    // ---------------------------------------------------------------- connection

    private void connect() {
        phase = Phase.CONNECTING;
        int connectionGeneration = ++generation;
        closingOnPurpose = false;
        String sessionKey = request.sessionId() + "-" + request.attempt() + "-" + connectionGeneration;
        RealtimeTransport.ConnectionListener listener = new RealtimeTransport.ConnectionListener() {
            @Override
            public void onMessage(String text) {
                serial.execute(() -> {
                    if (connectionGeneration == generation) {
                        handleMessage(text);
                    }
                });
            }

            @Override
            public void onClosed(int code, String reason) {
                serial.execute(() -> {
                    if (connectionGeneration == generation) {
                        handleClosed(code, reason);
                    }
                });
            }
        };
        transport.connect(endpoint.connectRequest(sessionSettings, sessionKey), listener)
                .whenComplete((opened, error) -> serial.execute(() -> {
                    if (phase == Phase.DONE || connectionGeneration != generation) {
                        if (opened != null) {
                            opened.abort();
                        }
                        return;
                    }
                    if (error != null) {
                        failConnect(unwrap(error));
                        return;
                    }
                    connection = opened;
                    connectionOpenedNanos = System.nanoTime();
                    turnsOnConnection = 0;
                    currentProviderSessionId = Optional.empty();
                    phase = Phase.CONFIGURING;
                    // Never wait for session.created: send the full configuration at once, gate audio on session.updated.
                    send(new ClientEvent.SessionUpdate(sessionSettings), Purpose.CONFIG, -1);
                    awaitWithin(settings.itemTimeout(), "CONFIGURE_TIMEOUT", "no session.updated");
                }));
    }

    private void failConnect(Throwable error) {
        if (error instanceof UpgradeRefusedException refused) {
            fail(ErrorClassifier.ofUpgradeStatus(refused.status(), endpoint.url().toString()));
        } else {
            fail(Classification.transientFailure("CONNECT_FAILED", "cannot connect to " + endpoint.url() + ": "
                    + error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage())));
        }
    }

    private void handleClosed(int code, String reason) {
        if (phase == Phase.DONE || closingOnPurpose || phase == Phase.CONNECTING) {
            // while connecting, the transport may report the failure twice: the connect future classifies it
            return;
        }
        if (code == JettyWebSocketTransport.CLOSE_TOO_BIG) {
            fail(Classification.transientFailure("MALFORMED_SERVER_EVENT", "oversized server event: " + reason));
            return;
        }
        fail(Classification.transientFailure("ABNORMAL_CLOSE", "the provider closed the connection with code " + code
                + (reason == null || reason.isBlank() ? "" : " (" + reason + ")") + " while " + phase));
    }

    private void send(ClientEvent event, Purpose purpose, int turnIndex) {
        sendAndThen(event, purpose, turnIndex, null);
    }

    /** Sends; {@code afterSent} runs on the serial executor once the socket has taken the message. */
    private void sendAndThen(ClientEvent event, Purpose purpose, int turnIndex, Runnable afterSent) {
        String eventId = nextEventId(purpose, turnIndex);
        Correlation correlation = new Correlation(purpose, turnIndex);
        if (purpose == Purpose.APPEND) {
            appendEvents.put(eventId, correlation);
        } else {
            controlEvents.put(eventId, correlation);
        }
        int sentOn = generation;
        connection.send(codec.encode(event, eventId)).whenComplete((ignored, error) -> serial.execute(() -> {
            if (phase == Phase.DONE || sentOn != generation) {
                return;
            }
            if (error != null) {
                Throwable cause = unwrap(error);
                fail(Classification.transientFailure("ABNORMAL_CLOSE", "sending " + purpose + " failed: "
                        + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage())));
            } else if (afterSent != null) {
                afterSent.run();
            }
        }));
    }

    /** OpenAI ids say what they are for; Inworld uses UUIDs, as its own events do. */
    private String nextEventId(Purpose purpose, int turnIndex) {
        int n = ++eventCounter;
        if (endpoint.dialect() == Dialect.INWORLD) {
            return UUID.randomUUID().toString();
        }
        String prefix = switch (purpose) {
            case CONFIG -> "cfg";
            case APPEND -> "append";
            case COMMIT -> "commit";
            case CLEAR -> "clear";
            case RESPONSE -> "rc";
        };
        return prefix + "_" + generation + "_" + (turnIndex >= 0 ? turnIndex + "_" : "") + n;
    }

    // ---------------------------------------------------------------- server events

    private void handleMessage(String text) {
        if (phase == Phase.DONE) {
            return;
        }
        ServerEvent event;
        try {
            event = codec.decode(text);
        } catch (MalformedEventException e) {
            fail(Classification.transientFailure("MALFORMED_SERVER_EVENT", e.getMessage()));
            return;
        }
        switch (event) {
            case ServerEvent.SessionCreated created -> created.providerSessionId().ifPresent(this::noteProviderSession);
            case ServerEvent.SessionUpdated updated -> onSessionUpdated(updated);
            case ServerEvent.AudioCommitted committed -> onCommitted(committed);
            case ServerEvent.AudioCleared cleared -> {
                // answer to our defensive clear; nothing waits for it
            }
            case ServerEvent.TranscriptionDelta delta -> {
                // the completed event carries the whole transcript; deltas are not needed for batch output
            }
            case ServerEvent.TranscriptionCompleted completed -> onItemEvent(completed.itemId(), completed);
            case ServerEvent.TranscriptionFailed failed -> onItemEvent(failed.itemId(), failed);
            case ServerEvent.ResponseCreated created -> {
                if (activeResponse != null && activeResponse.responseId == null) {
                    activeResponse.responseId = created.responseId();
                }
            }
            case ServerEvent.ResponseTextDelta delta -> {
                if (activeResponse != null && delta.responseId().equals(activeResponse.responseId)) {
                    activeResponse.text.append(delta.delta());
                }
            }
            case ServerEvent.ResponseAudioTranscriptDelta delta -> {
                if (activeResponse != null && delta.responseId().equals(activeResponse.responseId)) {
                    activeResponse.audioTranscript.append(delta.delta());
                }
            }
            case ServerEvent.ResponseDone done -> onResponseDone(done);
            case ServerEvent.RateLimitsUpdated limits -> rateLimits.accept(limits.limits());
            case ServerEvent.Error error -> onError(error);
            case ServerEvent.Ignored ignored -> {
                // known, not needed
            }
            case ServerEvent.Unknown unknown -> {
                unknownEvents++;
                log.debug("session {}: ignoring unknown event type {}", request.sessionId(), unknown.wireType());
            }
        }
    }

    private void noteProviderSession(String id) {
        currentProviderSessionId = Optional.of(id);
        if (!providerSessionIds.contains(id)) {
            providerSessionIds.add(id);
        }
    }

    private void onSessionUpdated(ServerEvent.SessionUpdated updated) {
        updated.providerSessionId().ifPresent(this::noteProviderSession);
        if (phase != Phase.CONFIGURING) {
            return;
        }
        cancelWait();
        phase = Phase.STREAMING;
        if (subscription == null) {
            audio.subscribe(new AudioSubscriber());
        } else if (heldPiece != null) {
            AudioPiece piece = heldPiece;
            heldPiece = null;
            onPiece(piece);
        } else {
            proceed();
        }
    }

    private void onCommitted(ServerEvent.AudioCommitted committed) {
        if (phase != Phase.AWAITING_COMMIT || pendingCommit == null) {
            return; // not ours: commits are sent one at a time, so a stray committed cannot belong to a turn
        }
        cancelWait();
        TurnState turn = pendingCommit;
        pendingCommit = null;
        turn.itemId = committed.itemId();
        turn.generation = generation;
        turnsByItem.put(turn.itemId, turn);
        if (sessionSettings.transcription().isEmpty()) {
            // nothing will transcribe it: the turn is done once committed
            complete(turn, new TurnResult(turn.spec.turnIndex(), TurnStatus.COMPLETED, Optional.empty(), "",
                    turn.spec.startMs(), turn.spec.endMs(), Optional.of(turn.itemId), Optional.empty(), List.of(),
                    Optional.empty(), currentProviderSessionId));
        } else {
            ServerEvent early = earlyItemEvents.remove(turn.itemId);
            if (early != null) {
                onItemEvent(turn.itemId, early);
            } else {
                turn.itemTimer = schedule(settings.itemTimeout(), () -> fail(Classification.transientFailure(
                        "ITEM_TIMEOUT", "no transcription for turn " + turn.spec.turnIndex() + " (item " + turn.itemId
                                + ") within " + settings.itemTimeout().toMillis() + " ms")));
            }
        }
        if (turn.spec.respond()) {
            activeResponse = new ResponseState(turn);
            phase = Phase.AWAITING_RESPONSE;
            send(new ClientEvent.CreateResponse(request.config().getResponse(), turn.spec.turnIndex()),
                    Purpose.RESPONSE, turn.spec.turnIndex());
            awaitWithin(settings.itemTimeout(), "RESPONSE_TIMEOUT", "no response.done for turn " + turn.spec.turnIndex());
        } else {
            phase = Phase.STREAMING;
            proceed();
        }
    }

    private void onItemEvent(String itemId, ServerEvent event) {
        TurnState turn = turnsByItem.get(itemId);
        if (turn == null) {
            // a transcription can only follow its commit, but keep it in case the committed event is still queued
            if (earlyItemEvents.size() < 1024) {
                earlyItemEvents.put(itemId, event);
            }
            return;
        }
        if (turn.result != null) {
            return;
        }
        switch (event) {
            case ServerEvent.TranscriptionCompleted done -> complete(turn, new TurnResult(turn.spec.turnIndex(),
                    TurnStatus.COMPLETED, Optional.empty(), done.transcript(), turn.spec.startMs(), turn.spec.endMs(),
                    Optional.of(itemId), done.usage(), done.logprobs(), done.language(), currentProviderSessionId));
            case ServerEvent.TranscriptionFailed failed -> complete(turn, new TurnResult(turn.spec.turnIndex(),
                    TurnStatus.FAILED, Optional.of("TRANSCRIPTION_FAILED: " + failed.error().label() + ": "
                    + failed.error().message()), "", turn.spec.startMs(), turn.spec.endMs(), Optional.of(itemId),
                    Optional.empty(), List.of(), Optional.empty(), currentProviderSessionId));
            default -> throw new IllegalStateException("not an item event: " + event.wireType());
        }
    }

    private void complete(TurnState turn, TurnResult result) {
        if (turn.itemTimer != null) {
            turn.itemTimer.cancel(false);
        }
        turn.result = result;
        afterProgress();
    }

    private void onResponseDone(ServerEvent.ResponseDone done) {
        if (activeResponse == null || (activeResponse.responseId != null && !activeResponse.responseId.equals(done.responseId()))) {
            return;
        }
        Optional<Classification> problem = ErrorClassifier.ofResponseDone(done.status(), done.error());
        if (problem.isPresent() && problem.get().failureClass() == FailureClass.PERMANENT) {
            fail(problem.get());
            return;
        }
        ResponseState response = activeResponse;
        String text = !response.text.isEmpty() ? response.text.toString() : done.text();
        String transcript = !response.audioTranscript.isEmpty() ? response.audioTranscript.toString() : done.audioTranscript();
        responses.add(new ResponseResult(response.turn.spec.turnIndex(), Optional.of(done.responseId()), done.status(),
                done.statusReason(), done.error(), text, transcript, done.usage(), Optional.ofNullable(response.turn.itemId),
                currentProviderSessionId));
        finishResponse();
    }

    private void finishResponse() {
        activeResponse = null;
        if (phase == Phase.AWAITING_RESPONSE) {
            cancelWait();
            phase = Phase.STREAMING;
            proceed();
        } else {
            afterProgress();
        }
    }

    private void onError(ServerEvent.Error event) {
        Optional<Correlation> correlation = event.error().eventId()
                .map(id -> controlEvents.containsKey(id) ? controlEvents.get(id) : appendEvents.get(id));
        Classification classification = ErrorClassifier.ofError(event.error(), correlation.map(Correlation::purpose));
        if (classification.failureClass() != FailureClass.TURN) {
            fail(classification);
            return;
        }
        int turnIndex = correlation.orElseThrow().turnIndex();
        TurnState turn = turns.get(turnIndex);
        if (correlation.get().purpose() == Purpose.COMMIT) {
            // no committed will come for this commit; the session stays usable
            if (pendingCommit == turn) {
                cancelWait();
                pendingCommit = null;
                turn.result = new TurnResult(turnIndex, TurnStatus.FAILED,
                        Optional.of(classification.reason() + ": " + classification.message()), "",
                        turn.spec.startMs(), turn.spec.endMs(), Optional.empty(), Optional.empty(), List.of(),
                        Optional.empty(), currentProviderSessionId);
                if (turn.spec.respond()) {
                    responses.add(new ResponseResult(turnIndex, Optional.empty(), "failed", Optional.empty(),
                            Optional.of(event.error()), "", "", Optional.empty(), Optional.empty(), currentProviderSessionId));
                }
                phase = Phase.STREAMING;
                proceed();
            }
        } else if (activeResponse != null && activeResponse.turn == turn) {
            responses.add(new ResponseResult(turnIndex, Optional.ofNullable(activeResponse.responseId), "failed",
                    Optional.empty(), Optional.of(event.error()), "", "", Optional.empty(),
                    Optional.ofNullable(turn.itemId), currentProviderSessionId));
            finishResponse();
        }
    }

    // ---------------------------------------------------------------- audio

    private final class AudioSubscriber implements Flow.Subscriber<AudioPiece> {
        @Override
        public void onSubscribe(Flow.Subscription s) {
            serial.execute(() -> {
                if (phase == Phase.DONE) {
                    s.cancel();
                    return;
                }
                subscription = s;
                s.request(1);
            });
        }

        @Override
        public void onNext(AudioPiece piece) {
            serial.execute(() -> onPiece(piece));
        }

        @Override
        public void onError(Throwable error) {
            serial.execute(() -> {
                if (error instanceof AudioUnavailableException unavailable) {
                    fail(Classification.permanent(unavailable.reason(), unavailable.getMessage()));
                } else {
                    fail(Classification.transientFailure("AUDIO_READ_FAILED", "reading the session's audio failed: "
                            + error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage())));
                }
            });
        }

        @Override
        public void onComplete() {
            serial.execute(() -> {
                audioComplete = true;
                if (phase == Phase.STREAMING && !pieceInFlight) {
                    proceed();
                }
            });
        }
    }

    private void onPiece(AudioPiece piece) {
        if (phase == Phase.DONE) {
            return;
        }
        pieceInFlight = true;
        TurnState turn = turns.get(piece.turnIndex());
        if (turn == null) {
            fail(Classification.permanent("AUDIO_MISMATCH", "audio arrived for turn " + piece.turnIndex()
                    + ", which the session plan does not have (" + turns.size() + " turns)"));
            return;
        }
        if (turn.endSeen) {
            fail(Classification.permanent("AUDIO_MISMATCH", "audio arrived for turn " + piece.turnIndex()
                    + " after its end"));
            return;
        }
        if (!turn.spec.sendable()) {
            // guarded defensively: the assembler already marks such turns; their audio is never sent
            if (turn.result == null) {
                turn.result = TurnResult.skipped(turn.spec, "TURN_TOO_SHORT");
            }
            turn.endSeen = piece.endOfTurn();
            pieceInFlight = false;
            proceed();
            return;
        }
        if (!turn.started) {
            if (turnsOnConnection > 0 && Duration.ofNanos(System.nanoTime() - connectionOpenedNanos)
                    .compareTo(settings.rotateAfter()) >= 0) {
                heldPiece = piece;
                rotate();
                return;
            }
            turn.started = true;
            turnsOnConnection++;
        }
        ByteBuffer bytes = piece.audio().asReadOnlyBuffer();
        if (bytes.remaining() % sessionSettings.bytesPerSample() != 0) {
            fail(Classification.permanent("AUDIO_NOT_SAMPLE_ALIGNED", "a chunk of turn " + piece.turnIndex() + " has "
                    + bytes.remaining() + " bytes, not a whole number of " + sessionSettings.bytesPerSample() + "-byte samples"));
            return;
        }
        appendThen(turn, bytes, () -> {
            pieceInFlight = false;
            if (piece.endOfTurn()) {
                turn.endSeen = true;
                commit(turn);
            } else {
                proceed();
            }
        });
    }

    /** Appends {@code bytes} in sample-aligned slices of at most 256 KiB, then runs {@code next}. */
    private void appendThen(TurnState turn, ByteBuffer bytes, Runnable next) {
        if (!bytes.hasRemaining()) {
            next.run();
            return;
        }
        int sample = sessionSettings.bytesPerSample();
        int length = Math.min(bytes.remaining(), MAX_APPEND_BYTES - MAX_APPEND_BYTES % sample);
        ByteBuffer slice = bytes.slice(bytes.position(), length);
        bytes.position(bytes.position() + length);
        sendAndThen(new ClientEvent.AppendAudio(slice), Purpose.APPEND, turn.spec.turnIndex(), () -> {
            turn.bytesAppended += length;
            appendThen(turn, bytes, next);
        });
    }

    private void commit(TurnState turn) {
        long minimumBytes = TurnSpec.MIN_TURN_MS * sessionSettings.bytesPerMillisecond();
        if (turn.bytesAppended < minimumBytes) {
            // the plan said long enough but the audio is not: committing would only earn
            // input_audio_buffer_commit_empty, so drop what was appended and skip the turn
            send(new ClientEvent.ClearAudio(), Purpose.CLEAR, turn.spec.turnIndex());
            turn.result = TurnResult.skipped(turn.spec, "TURN_TOO_SHORT");
            proceed();
            return;
        }
        pendingCommit = turn;
        phase = Phase.AWAITING_COMMIT;
        send(new ClientEvent.CommitAudio(), Purpose.COMMIT, turn.spec.turnIndex());
        awaitWithin(settings.itemTimeout(), "COMMIT_TIMEOUT", "no input_audio_buffer.committed for turn "
                + turn.spec.turnIndex());
    }

    /** Next piece, or drain once the audio is complete. Runs in STREAMING only. */
    private void proceed() {
        if (audioComplete) {
            drain();
        } else if (subscription != null) {
            subscription.request(1);
        }
    }

    // ---------------------------------------------------------------- rotation, drain, end

    private void rotate() {
        phase = Phase.ROTATING;
        afterProgress();
    }

    private void afterProgress() {
        if (phase == Phase.ROTATING && allCommittedItemsDone()) {
            closingOnPurpose = true;
            connection.close(CLOSE_NORMAL, "rotating to a new session");
            rotations++;
            log.info("session {}: rotating to a new provider session after {} min", request.sessionId(),
                    Duration.ofNanos(System.nanoTime() - connectionOpenedNanos).toMinutes());
            connect();
        } else if (phase == Phase.DRAINING) {
            finishIfDone();
        }
    }

    private boolean allCommittedItemsDone() {
        return turns.values().stream().allMatch(t -> t.itemId == null || t.result != null) && activeResponse == null;
    }

    private void drain() {
        phase = Phase.DRAINING;
        List<Integer> incomplete = turns.values().stream().filter(t -> !t.endSeen).map(t -> t.spec.turnIndex()).toList();
        if (!incomplete.isEmpty()) {
            fail(Classification.permanent("AUDIO_INCOMPLETE", "the audio ended before turns " + incomplete + " did"));
            return;
        }
        finishIfDone();
    }

    private void finishIfDone() {
        if (!allCommittedItemsDone() || turns.values().stream().anyMatch(t -> t.result == null)) {
            return;
        }
        List<TurnResult> results = turns.values().stream().map(t -> t.result).toList();
        closingOnPurpose = true;
        finish(new SessionOutcome.Completed(results, responses, providerSessionIds, rotations, unknownEvents));
        connection.close(CLOSE_NORMAL, "session complete");
    }

    private void fail(Classification classification) {
        if (phase == Phase.DONE) {
            return;
        }
        log.info("session {} attempt {} failed: {} ({}): {}", request.sessionId(), request.attempt(),
                classification.reason(), classification.failureClass(), classification.message());
        finish(new SessionOutcome.Failed(classification, providerSessionIds));
        if (subscription != null) {
            subscription.cancel();
        }
        if (connection != null) {
            closingOnPurpose = true;
            connection.close(CLOSE_NORMAL, "streamscribe: " + classification.reason())
                    .orTimeout(5, TimeUnit.SECONDS)
                    .whenComplete((ignored, error) -> {
                        if (error != null) {
                            connection.abort();
                        }
                    });
        }
    }

    private void finish(SessionOutcome result) {
        phase = Phase.DONE;
        cancelWait();
        if (sessionTimer != null) {
            sessionTimer.cancel(false);
        }
        turns.values().forEach(t -> {
            if (t.itemTimer != null) {
                t.itemTimer.cancel(false);
            }
        });
        outcome.complete(result);
    }

    private void abortAfterCancel() {
        phase = Phase.DONE;
        cancelWait();
        if (sessionTimer != null) {
            sessionTimer.cancel(false);
        }
        if (subscription != null) {
            subscription.cancel();
        }
        if (connection != null) {
            // a cancelled session (task revoked, pipeline stopping) still says goodbye properly
            RealtimeConnection open = connection;
            open.close(CLOSE_NORMAL, "streamscribe: session cancelled").orTimeout(2, TimeUnit.SECONDS)
                    .whenComplete((ignored, error) -> {
                        if (error != null) {
                            open.abort();
                        }
                    });
        }
    }

    // ---------------------------------------------------------------- timers

    private void awaitWithin(Duration timeout, String reason, String what) {
        cancelWait();
        Phase waitingIn = phase;
        waitTimer = schedule(timeout, () -> {
            if (phase == waitingIn) {
                fail(Classification.transientFailure(reason, what + " within " + timeout.toMillis() + " ms"));
            }
        });
    }

    private void cancelWait() {
        if (waitTimer != null) {
            waitTimer.cancel(false);
            waitTimer = null;
        }
    }

    private ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        return timer.schedule(() -> serial.execute(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
