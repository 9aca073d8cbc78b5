package dev.streamscribe.realtime.driver;

import dev.streamscribe.util.SessionLog;
import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.RealtimeEndpoint;
import dev.streamscribe.realtime.driver.ErrorClassifier.Purpose;
import dev.streamscribe.realtime.driver.TurnLedger.Stage;
import dev.streamscribe.realtime.driver.TurnLedger.Turn;
import dev.streamscribe.realtime.event.ClientEvent;
import dev.streamscribe.realtime.event.InvalidSessionConfigException;
import dev.streamscribe.realtime.event.RateLimit;
import dev.streamscribe.realtime.event.ServerEvent;
import dev.streamscribe.realtime.event.SessionSettings;
import dev.streamscribe.realtime.transport.JettyWebSocketTransport;
import dev.streamscribe.realtime.transport.RealtimeTransport;
import dev.streamscribe.realtime.transport.UpgradeRefusedException;
import dev.streamscribe.realtime.wire.DialectCodec;
import dev.streamscribe.realtime.wire.MalformedEventException;
import dev.streamscribe.util.SerialExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One session attempt: the protocol state machine of docs/architecture.md section 5 and docs/protocol.md sections 3, 4, 5, 7, 10.
 *
 * <pre>
 * CONNECTING -open-> CONFIGURING (full session.update sent at once; session.created accepted in any order or never)
 *   -session.updated-> STREAMING: per turn, one append per piece (<= 256 KiB, sample-aligned), pulled one at a time
 *     (RESTORING first, on a resumed or rotated conversation: the earlier turns it lacks, as conversation items)
 *   -end of turn-> AWAITING_COMMIT (commit; wait for its committed or its error: a failed commit's error arrives late)
 *   -committed-> AWAITING_RESPONSE (response.create when the turn asks; one active response at a time)
 *   -response.done / no response-> STREAMING (next turn; ROTATING to a new socket first when the connection is old)
 *   -audio complete-> DRAINING (every item transcribed or failed, every response done) -> close 1000 -> DONE
 *   live run, its end not yet given: -audio complete-> WAITING (connection open) -more turns-> STREAMING, or
 *     -realtime.live-idle-close-ms with nothing pending-> DONE with the turns it has (the pipeline reconnects later)
 * </pre>
 * Transcriptions are keyed by item id and may complete in any order, also after response.done. Every phase change
 * goes through {@link #enter}, which refuses a move the diagram does not have. Its parts: {@link TurnLedger} (each
 * turn's lifecycle), {@link ConnectionSlot} (the current connection and our event ids) and {@link AudioPump} (the
 * audio subscription); every way an attempt ends goes through {@link #end}.
 *
 * <p>Threading: every method below runs on the session's {@link SerialExecutor}: socket callbacks, audio
 * signals and timers are re-submitted there, so no field needs a lock and no thread waits. Events from a
 * replaced connection are dropped by generation.
 */
final class SessionRun {
    private static final Logger log = LoggerFactory.getLogger(SessionRun.class);
    /** One append carries at most one chunk's worth of audio (docs/architecture.md section 5). */
    static final int MAX_APPEND_BYTES = AudioEncoding.MAX_CHUNK_BYTES;
    private static final int CLOSE_NORMAL = 1000;
    /** OpenAI closes a connection speaking the retired beta interface with 4000 (after beta_api_shape_disabled). */
    private static final int CLOSE_BETA_RETIRED = 4000;
    /** How long a closing handshake may take before the socket is aborted. */
    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(5);

    private enum Phase {
        CONNECTING, CONFIGURING, STREAMING, RESTORING, AWAITING_COMMIT, AWAITING_RESPONSE, ROTATING, WAITING, DRAINING,
        DONE;

        /** The moves of the diagram above; DONE may be entered from anywhere. */
        boolean mayMoveTo(Phase next) {
            return next == DONE || switch (this) {
                case CONNECTING -> next == CONFIGURING;
                case CONFIGURING -> next == STREAMING;
                case STREAMING -> next == AWAITING_COMMIT || next == ROTATING || next == DRAINING || next == RESTORING
                        || next == WAITING;
                case WAITING -> next == STREAMING || next == DRAINING;
                case RESTORING -> next == STREAMING;
                case AWAITING_COMMIT -> next == AWAITING_RESPONSE || next == STREAMING;
                case AWAITING_RESPONSE -> next == STREAMING;
                case ROTATING -> next == CONNECTING;
                case DRAINING, DONE -> false;
            };
        }
    }

    private final SessionRequest request;
    private final Flow.Publisher<AudioPiece> audioSource;
    private final RealtimeEndpoint endpoint;
    private final DialectCodec codec;
    private final RealtimeTransport transport;
    private final DriverSettings settings;
    private final SerialExecutor serial;
    private final AttemptTimers timers;
    private final Consumer<List<RateLimit>> rateLimits;
    private final TurnListener turnListener;
    private final CompletableFuture<SessionOutcome> outcome = new CompletableFuture<>();
    private final TurnLedger turns;
    private final ConnectionSlot slot;
    private final AudioPump audio = new AudioPump();

    private SessionSettings sessionSettings;
    private Phase phase = Phase.CONNECTING;
    private int rotations;
    private int unknownEvents;
    private int providerErrors;
    private final List<String> providerSessionIds = new ArrayList<>();
    private Optional<String> currentProviderSessionId = Optional.empty();
    private Turn pendingCommit;
    private final ResponseTracker responses = new ResponseTracker();
    private final ConversationRestore restore;
    /** A live run whose later turns may still come: it waits for them instead of draining. */
    private final boolean live;
    /** A live run was told its session has ended: no more turns come. */
    private boolean endGiven;
    /** Offers may still be taken; false once the run ends or decides to close (read by offering threads). */
    private final AtomicBoolean accepting = new AtomicBoolean(true);
    private final Queue<Offer> offers = new ConcurrentLinkedQueue<>();
    private ScheduledFuture<?> idleClose;

    /** Turns offered to a live run, taken on the serial executor once the audio before them is done. */
    private record Offer(List<TurnSpec> turns, Flow.Publisher<AudioPiece> audio, boolean ended) {
    }

    SessionRun(SessionRequest request, Flow.Publisher<AudioPiece> audio, RealtimeEndpoint endpoint, DialectCodec codec,
               RealtimeTransport transport, DriverSettings settings, SerialExecutor serial,
               ScheduledExecutorService timer, Consumer<List<RateLimit>> rateLimits, TurnListener turnListener) {
        this(request, audio, endpoint, codec, transport, settings, serial, timer, rateLimits, turnListener, false);
    }

    /** @param live later turns may still come ({@link #offer}); the run waits for them instead of draining */
    SessionRun(SessionRequest request, Flow.Publisher<AudioPiece> audio, RealtimeEndpoint endpoint, DialectCodec codec,
               RealtimeTransport transport, DriverSettings settings, SerialExecutor serial,
               ScheduledExecutorService timer, Consumer<List<RateLimit>> rateLimits, TurnListener turnListener,
               boolean live) {
        this.live = live;
        this.request = request;
        this.audioSource = audio;
        this.endpoint = endpoint;
        this.codec = codec;
        this.transport = transport;
        this.settings = settings;
        this.serial = serial;
        this.timers = new AttemptTimers(timer, serial);
        this.rateLimits = rateLimits;
        this.turnListener = turnListener;
        this.turns = new TurnLedger(request.turns(), request.context().stream().map(ContextTurn::turnIndex)
                .collect(Collectors.toSet()));
        this.restore = new ConversationRestore(request.config().getResponse() != null, request.context());
        this.slot = new ConnectionSlot(codec);
        outcome.whenComplete((result, error) -> {
            if (error instanceof CancellationException) {
                serial.execute(() -> end(Optional.empty(), "streamscribe: session cancelled"));
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
            if (turns.isEmpty() || turns.onlyContext()) {
                fail(Classification.permanent("NO_AUDIO", "the session has no turns"));
                return;
            }
            connect();
        });
    }

    private void enter(Phase next) {
        if (!phase.mayMoveTo(next)) {
            throw new IllegalStateException("session " + request.sessionId() + " attempt " + request.attempt()
                    + " cannot move from " + phase + " to " + next);
        }
        phase = next;
    }

    // ---------------------------------------------------------------- connection

    private void connect() {
        int connectionGeneration = slot.beginConnecting();
        timers.limitConnection(settings.sessionTimeout(), () -> fail(Classification.transientFailure(
                "SESSION_TIMEOUT", "a connection of the session exceeded " + settings.sessionTimeout().toSeconds()
                        + " s")));
        String sessionKey = request.sessionId() + "-" + request.attempt() + "-" + connectionGeneration;
        transport.connect(endpoint.connectRequest(sessionSettings, sessionKey),
                        slot.listener(connectionGeneration, serial, this::handleMessage, this::handleClosed))
                .whenComplete((opened, error) -> serial.execute(() -> {
                    if (phase == Phase.DONE || !slot.isCurrent(connectionGeneration)) {
                        if (opened != null) {
                            opened.abort();
                        }
                        return;
                    }
                    if (error != null) {
                        failConnect(unwrap(error));
                        return;
                    }
                    slot.opened(opened, System.nanoTime());
                    restore.newConnection();
                    currentProviderSessionId = Optional.empty();
                    enter(Phase.CONFIGURING);
                    // Never wait for session.created: send the full configuration at once, gate audio on session.updated.
                    send(new ClientEvent.SessionUpdate(sessionSettings), Purpose.CONFIG, -1);
                    awaitWithin(settings.itemTimeout(), "CONFIGURE_TIMEOUT", "no session.updated");
                }));
    }

    private void failConnect(Throwable error) {
        if (error instanceof UpgradeRefusedException refused) {
            fail(ErrorClassifier.ofUpgradeStatus(refused.status(), endpoint.url().toString()));
        } else {
            fail(TlsFailure.explain(error, endpoint.url())
                    .map(problem -> Classification.transientFailure("TLS_FAILED", "cannot connect to " + endpoint.url()
                            + ": " + problem))
                    .orElseGet(() -> Classification.transientFailure("CONNECT_FAILED", "cannot connect to "
                            + endpoint.url() + ": " + describe(error))));
        }
    }

    private void handleClosed(int code, String reason) {
        if (phase == Phase.DONE || slot.closingOnPurpose() || phase == Phase.CONNECTING) {
            // while connecting, the transport may report the failure twice: the connect future classifies it
            return;
        }
        if (code == CLOSE_BETA_RETIRED) {
            fail(Classification.permanent("BETA_API_RETIRED", "the provider closed the connection with code 4000"
                    + (reason == null || reason.isBlank() ? "" : " (" + reason + ")") + ": it no longer serves this "
                    + "interface" + (endpoint.dialect() == Dialect.OPENAI_BETA
                    ? "; set realtime.dialect=openai-ga" : "")));
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
        int sentOn = slot.generation();
        slot.send(event, purpose, turnIndex).whenComplete((ignored, error) -> serial.execute(() -> {
            if (phase == Phase.DONE || !slot.isCurrent(sentOn)) {
                return;
            }
            if (error != null) {
                fail(Classification.transientFailure("ABNORMAL_CLOSE", "sending " + purpose + " failed: "
                        + describe(unwrap(error))));
            } else if (afterSent != null) {
                afterSent.run();
            }
        }));
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
            case ServerEvent.SpeechStarted started -> failVadActive("the provider detected speech on its own ("
                    + started.wireType() + ")");
            case ServerEvent.AudioCommitted committed -> onCommitted(committed);
            case ServerEvent.AudioCleared cleared -> {
                // answer to our defensive clear; nothing waits for it
            }
            case ServerEvent.ItemAdded added -> onItemAdded(added);
            case ServerEvent.TranscriptionDelta delta -> {
                // the completed event carries the whole transcript; deltas are not needed for batch output
            }
            case ServerEvent.TranscriptionCompleted completed -> onItemEvent(completed.itemId(), completed);
            case ServerEvent.TranscriptionFailed failed -> onItemEvent(failed.itemId(), failed);
            case ServerEvent.ResponseCreated created -> responses.created(created.responseId());
            case ServerEvent.ResponseTextDelta delta -> responses.textDelta(delta.responseId(), delta.delta());
            case ServerEvent.ResponseAudioTranscriptDelta delta ->
                    responses.audioTranscriptDelta(delta.responseId(), delta.delta());
            case ServerEvent.ResponseDone done -> onResponseDone(done);
            case ServerEvent.RateLimitsUpdated limits -> rateLimits.accept(limits.limits());
            case ServerEvent.Error error -> onError(error);
            case ServerEvent.Ignored ignored -> {
                // known, not needed
            }
            case ServerEvent.Unknown unknown -> {
                unknownEvents++;
                SessionLog.debug(log, request.sessionId(), request.runToken(), "session {}: ignoring unknown event type {}",
                        request.sessionId(), unknown.wireType());
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
        if (updated.turnDetectionOn()) {
            failVadActive("the effective session still has turn_detection on, although session.update set it to null");
            return;
        }
        if (phase != Phase.CONFIGURING) {
            return;
        }
        timers.cancelWait();
        enter(Phase.STREAMING);
        if (!audio.subscribed()) {
            audioSource.subscribe(audio.subscriber(serial, () -> phase == Phase.DONE, this::onPiece, this::onAudioFailed,
                    this::onAudioComplete));
        } else {
            audio.takeHeld().ifPresentOrElse(this::onPiece, this::proceed);
        }
    }

    /**
     * Voice activity detection is on at the provider: it would commit on its own, racing our manual commits, and
     * turns would be cut where it hears pauses. Permanent: a retry meets the same provider setting.
     */
    private void failVadActive(String what) {
        fail(Classification.permanent("VAD_ACTIVE", what + "; streamscribe commits turns itself and cannot run "
                + "with the provider's voice activity detection"));
    }

    private void onCommitted(ServerEvent.AudioCommitted committed) {
        if (phase != Phase.AWAITING_COMMIT || pendingCommit == null) {
            // commits go one at a time and each waits for its answer: one we did not ask for is the provider's own
            failVadActive("the provider committed audio on its own (item " + committed.itemId() + ")");
            return;
        }
        timers.cancelWait();
        Turn turn = pendingCommit;
        pendingCommit = null;
        turns.committed(turn, committed.itemId());
        if (turn.context()) {
            // an earlier turn's audio, re-sent as context: its transcription was recorded by an earlier connection
            turn.finishAsContext(Stage.COMMITTED);
            enter(Phase.STREAMING);
            proceed();
            return;
        }
        if (sessionSettings.transcription().isEmpty()) {
            // nothing will transcribe it: the turn is done once committed
            complete(turn, TurnResult.completed(turn.spec(), committed.itemId(), "", Optional.empty(), List.of(),
                    Optional.empty(), currentProviderSessionId));
        } else {
            Duration wait = settings.transcriptionWaitFor(turn.spec().durationMs());
            turns.takeEarly(committed.itemId()).ifPresentOrElse(early -> onItemEvent(committed.itemId(), early),
                    () -> turn.waitForItem(timers.schedule(wait, () -> {
                        if (phase != Phase.DONE && !turn.done()) {
                            // this turn only: a transcription that never comes says nothing about the next turns
                            complete(turn, TurnResult.failed(turn.spec(), "TRANSCRIPTION_TIMEOUT: no transcription for "
                                    + "item " + committed.itemId() + " within " + wait.toMillis() + " ms",
                                    Optional.of(committed.itemId()), currentProviderSessionId));
                        }
                    })));
        }
        if (turn.spec().respond()) {
            responses.requested(turn, turn.contextNote());
            enter(Phase.AWAITING_RESPONSE);
            send(new ClientEvent.CreateResponse(request.config().getResponse(), turn.index()), Purpose.RESPONSE,
                    turn.index());
            awaitWithin(settings.itemTimeout(), "RESPONSE_TIMEOUT", "no response.done for turn " + turn.index());
        } else {
            enter(Phase.STREAMING);
            proceed();
        }
    }

    private void onItemEvent(String itemId, ServerEvent event) {
        Optional<Turn> found = turns.forItem(itemId);
        if (found.isEmpty()) {
            // a transcription can only follow its commit, but keep it in case the committed event is still queued
            turns.holdEarly(itemId, event);
            return;
        }
        Turn turn = found.get();
        if (turn.done()) {
            return;
        }
        switch (event) {
            case ServerEvent.TranscriptionCompleted done -> {
                turnListener.billed(new BilledCall(BilledCall.Kind.TRANSCRIPTION, turn.spec().durationMs(), done.usage()));
                complete(turn, TurnResult.completed(turn.spec(), itemId, done.transcript(), done.usage(),
                        done.logprobs(), done.language(), currentProviderSessionId));
            }
            case ServerEvent.TranscriptionFailed failed when ErrorClassifier.quotaExhausted(failed.error()) ->
                    fail(Classification.permanent("INSUFFICIENT_QUOTA", "transcription of turn " + turn.index()
                            + " failed: " + failed.error().label() + ": " + failed.error().message()));
            case ServerEvent.TranscriptionFailed failed -> complete(turn, TurnResult.failed(turn.spec(),
                    "TRANSCRIPTION_FAILED: " + failed.error().label() + ": " + failed.error().message(),
                    Optional.of(itemId), currentProviderSessionId));
            default -> throw new IllegalStateException("not an item event: " + event.wireType());
        }
    }

    /** The turn has its own outcome from the provider: checkpointed once its response is in too, then the session goes on. */
    private void complete(Turn turn, TurnResult result) {
        turn.finish(result, Stage.COMMITTED);
        checkpointIfFinished(turn);
        afterProgress();
    }

    /**
     * Reports the turn (a checkpoint) once it has every outcome it will get here: its transcription, and its response
     * when it asked for one. Turns finish out of order, so this runs after either arrives.
     */
    private void checkpointIfFinished(Turn turn) {
        if (!turn.done() || turn.context() || turn.reported()) {
            return;
        }
        Optional<ResponseResult> response = responses.of(turn.index());
        if (turn.spec().respond() && response.isEmpty()) {
            return;
        }
        turn.markReported();
        TurnCheckpoint checkpoint = new TurnCheckpoint(turn.result(), response);
        restore.finished(checkpoint);
        turnListener.finished(checkpoint);
    }

    private void onResponseDone(ServerEvent.ResponseDone done) {
        turnListener.billed(new BilledCall(BilledCall.Kind.RESPONSE, 0, done.usage())); // ours or not, it was billed
        if (!responses.ends(done.responseId())) {
            return;
        }
        Optional<Classification> problem = ErrorClassifier.ofResponseDone(done.status(), done.error());
        if (problem.isPresent() && problem.get().failureClass() == FailureClass.PERMANENT) {
            fail(problem.get());
            return;
        }
        Turn turn = responses.activeTurn();
        responses.done(done, currentProviderSessionId);
        checkpointIfFinished(turn);
        afterResponse();
    }

    private void afterResponse() {
        if (phase == Phase.AWAITING_RESPONSE) {
            timers.cancelWait();
            enter(Phase.STREAMING);
            proceed();
        } else {
            afterProgress();
        }
    }

    private void onError(ServerEvent.Error event) {
        Optional<ConnectionSlot.Correlation> correlation = event.error().eventId().flatMap(slot::correlate);
        Classification classification = ErrorClassifier.ofError(event.error(),
                correlation.map(ConnectionSlot.Correlation::purpose));
        Optional<String> failedItem = ErrorClassifier.transcriptionFailedItem(event.error());
        if (failedItem.isPresent() && correlation.isEmpty() && classification.failureClass() != FailureClass.PERMANENT) {
            // one turn's transcription failed, reported as an error (OpenAI, Azure, Inworld): that turn only
            onItemEvent(failedItem.get(), new ServerEvent.TranscriptionFailed(event.wireType(), failedItem.get(),
                    event.error()));
            return;
        }
        if (classification.failureClass() == FailureClass.NOTED) {
            providerErrors++;
            SessionLog.info(log, request.sessionId(), request.runToken(), "session {}: the provider reported an error "
                    + "the session goes on after ({}): {}", request.sessionId(), classification.reason(),
                    classification.message());
            return;
        }
        if (classification.failureClass() != FailureClass.TURN) {
            fail(classification);
            return;
        }
        int turnIndex = correlation.orElseThrow().turnIndex();
        if (correlation.get().purpose() == Purpose.CONTEXT) {
            onContextRefused(classification);
            return;
        }
        Turn turn = turns.turn(turnIndex).orElseThrow();
        if (correlation.get().purpose() == Purpose.COMMIT) {
            // no committed will come for this commit; the session stays usable
            if (pendingCommit == turn) {
                timers.cancelWait();
                pendingCommit = null;
                if (turn.context()) {
                    // an earlier turn's audio, re-sent as context, was refused: the conversation goes on without it
                    turn.finishAsContext(Stage.COMMITTING);
                    enter(Phase.STREAMING);
                    proceed();
                    return;
                }
                turn.finish(TurnResult.failed(turn.spec(), classification.reason() + ": " + classification.message(),
                        Optional.empty(), currentProviderSessionId), Stage.COMMITTING);
                if (turn.spec().respond()) {
                    responses.neverAsked(turnIndex, event.error(), currentProviderSessionId, turn.contextNote());
                }
                checkpointIfFinished(turn);
                enter(Phase.STREAMING);
                proceed();
            }
        } else if (responses.activeFor(turn)) {
            responses.failed(event.error(), currentProviderSessionId);
            checkpointIfFinished(turn);
            afterResponse();
        }
    }

    // ---------------------------------------------------------------- audio

    private void onAudioFailed(Throwable error) {
        if (error instanceof AudioUnavailableException unavailable) {
            fail(Classification.permanent(unavailable.reason(), unavailable.getMessage()));
        } else {
            fail(Classification.transientFailure("AUDIO_READ_FAILED", "reading the session's audio failed: "
                    + describe(error)));
        }
    }

    private void onAudioComplete() {
        if (phase == Phase.STREAMING && !audio.pieceInFlight()) {
            proceed();
        }
    }

    private void onPiece(AudioPiece piece) {
        if (phase == Phase.DONE) {
            return;
        }
        audio.pieceArrived();
        Optional<Turn> found = turns.turn(piece.turnIndex());
        if (found.isEmpty()) {
            fail(Classification.permanent("AUDIO_MISMATCH", "audio arrived for turn " + piece.turnIndex()
                    + ", which the session plan does not have (" + turns.size() + " turns)"));
            return;
        }
        Turn turn = found.get();
        if (turn.endSeen()) {
            fail(Classification.permanent("AUDIO_MISMATCH", "audio arrived for turn " + piece.turnIndex()
                    + " after its end"));
            return;
        }
        if (!turn.spec().sendable()) {
            // guarded defensively: the assembler already marks such turns; their audio is never sent
            if (turn.context() && !turn.done()) {
                turn.finishAsContext(Stage.PLANNED);
            } else if (!turn.done()) {
                turn.finish(TurnResult.skipped(turn.spec(), "TURN_TOO_SHORT"), Stage.PLANNED);
            }
            if (piece.endOfTurn()) {
                turn.endOfAudio();
            }
            audio.pieceDone();
            proceed();
            return;
        }
        if (turn.context() && turn.stage() == Stage.PLANNED && restore.userAsText(turn.index())) {
            // an earlier turn restored as text (with everything before it): its audio is not sent
            if (restore.begin(turn.index() + 1)) {
                restoreThen(piece);
                return;
            }
            turn.finishAsContext(Stage.PLANNED);
            restore.restoredAsText(turn.index());
        }
        if (turn.context() && turn.done()) {
            if (piece.endOfTurn()) {
                turn.endOfAudio();
            }
            audio.pieceDone();
            proceed();
            return;
        }
        if (turn.stage() == Stage.PLANNED) {
            if (slot.turns() > 0 && slot.age(System.nanoTime()).compareTo(settings.rotateAfter()) >= 0) {
                audio.hold(piece);
                rotate();
                return;
            }
            if (restore.begin(turn.index())) {
                restoreThen(piece);
                return;
            }
            turn.startStreaming();
            slot.turnStarted();
            restore.streamed(turn.index(), turn.context());
            if (!turn.context()) {
                turn.noteContext(restore.noteForFirstNewTurn(turn.index()));
            }
            turnListener.streaming(turn.spec(), turn.context());
        }
        // a duplicate, not a read-only view: the encoder reads the array in place (a read-only view hides it, which
        // cost a copy of every chunk)
        ByteBuffer bytes = piece.audio().duplicate();
        if (bytes.remaining() % sessionSettings.bytesPerSample() != 0) {
            fail(Classification.permanent("AUDIO_NOT_SAMPLE_ALIGNED", "a chunk of turn " + piece.turnIndex() + " has "
                    + bytes.remaining() + " bytes, not a whole number of " + sessionSettings.bytesPerSample() + "-byte samples"));
            return;
        }
        appendThen(turn, bytes, () -> {
            audio.pieceDone();
            if (piece.endOfTurn()) {
                turn.endOfAudio();
                commit(turn);
            } else {
                proceed();
            }
        });
    }

    /** Appends {@code bytes} in sample-aligned slices of at most 256 KiB, then runs {@code next}. */
    private void appendThen(Turn turn, ByteBuffer bytes, Runnable next) {
        if (!bytes.hasRemaining()) {
            next.run();
            return;
        }
        int sample = sessionSettings.bytesPerSample();
        int length = Math.min(bytes.remaining(), MAX_APPEND_BYTES - MAX_APPEND_BYTES % sample);
        ByteBuffer slice = bytes.slice(bytes.position(), length);
        bytes.position(bytes.position() + length);
        sendAndThen(new ClientEvent.AppendAudio(slice), Purpose.APPEND, turn.index(), () -> {
            turn.appended(length);
            appendThen(turn, bytes, next);
        });
    }

    private void commit(Turn turn) {
        long minimumBytes = TurnSpec.MIN_TURN_MS * sessionSettings.bytesPerMillisecond();
        if (turn.bytesAppended() < minimumBytes) {
            // the plan said long enough but the audio is not: committing would only earn
            // input_audio_buffer_commit_empty, so drop what was appended and skip the turn
            send(new ClientEvent.ClearAudio(), Purpose.CLEAR, turn.index());
            if (turn.context()) {
                turn.finishAsContext(Stage.STREAMING);
            } else {
                turn.finish(TurnResult.skipped(turn.spec(), "TURN_TOO_SHORT"), Stage.STREAMING);
            }
            proceed();
            return;
        }
        turn.committing();
        pendingCommit = turn;
        enter(Phase.AWAITING_COMMIT);
        send(new ClientEvent.CommitAudio(), Purpose.COMMIT, turn.index());
        awaitWithin(settings.itemTimeout(), "COMMIT_TIMEOUT", "no input_audio_buffer.committed for turn " + turn.index());
    }

    /** Next piece, or drain once the audio is complete (a live run takes its next turns or waits). Runs in STREAMING only. */
    private void proceed() {
        if (!audio.complete()) {
            audio.requestNext();
        } else if (live && !endGiven) {
            takeOfferOrWait();
        } else {
            drain();
        }
    }

    // ---------------------------------------------------------------- live runs: more turns on the same connection

    /** Any thread: queues the turns; the run takes them once the audio before them is done. */
    boolean offer(List<TurnSpec> more, Flow.Publisher<AudioPiece> moreAudio, boolean ended) {
        if (!live || !accepting.get()) {
            return false;
        }
        offers.add(new Offer(List.copyOf(more), moreAudio, ended));
        serial.execute(() -> {
            if (phase == Phase.WAITING) {
                takeOfferOrWait();
            }
        });
        return true;
    }

    /** In STREAMING with the audio complete, or in WAITING: the next offer's turns, or wait for one. */
    private void takeOfferOrWait() {
        Offer next = offers.poll();
        if (next == null) {
            if (phase != Phase.WAITING) {
                enter(Phase.WAITING);
            }
            armIdleClose();
            return;
        }
        cancelIdleClose();
        endGiven |= next.ended();
        if (next.turns().isEmpty()) {
            if (endGiven) {
                drain(); // only the end was news: every turn is here
            } else {
                takeOfferOrWait();
            }
            return;
        }
        if (phase == Phase.WAITING) {
            enter(Phase.STREAMING);
        }
        turns.add(next.turns());
        audio.nextSource();
        next.audio().subscribe(audio.subscriber(serial, () -> phase == Phase.DONE, this::onPiece, this::onAudioFailed,
                this::onAudioComplete));
    }

    private void armIdleClose() {
        cancelIdleClose();
        idleClose = timers.schedule(settings.liveIdleClose(), this::closeWhenIdle);
    }

    private void cancelIdleClose() {
        if (idleClose != null) {
            idleClose.cancel(false);
            idleClose = null;
        }
    }

    /**
     * No turn came within realtime.live-idle-close-ms: once every turn here has its outcome, the connection closes
     * with 1000 and the run ends with the turns it has; the pipeline reconnects when the next turn completes (no
     * attempt spent). Turns offered after this moment are refused and go to that next connection.
     */
    private void closeWhenIdle() {
        idleClose = null;
        if (phase != Phase.WAITING) {
            return;
        }
        if (!offers.isEmpty()) {
            takeOfferOrWait();
            return;
        }
        if (!turns.noItemPending() || !responses.idle() || !turns.allDone()) {
            armIdleClose(); // a transcription or a response is still on its way: the connection stays for it
            return;
        }
        accepting.set(false);
        if (!offers.isEmpty()) {
            takeOfferOrWait(); // offered while deciding: taken after all
            accepting.set(true);
            return;
        }
        end(Optional.of(new SessionOutcome.Completed(turns.results(), responses.results(), providerSessionIds, rotations,
                unknownEvents, providerErrors)), "live session idle");
    }

    // ---------------------------------------------------------------- restoring a resumed conversation

    /** Sends the restore batch {@link ConversationRestore#begin} prepared, one acknowledged item at a time, then handles {@code piece}. */
    private void restoreThen(AudioPiece piece) {
        enter(Phase.RESTORING);
        audio.hold(piece);
        sendNextItem();
    }

    private void sendNextItem() {
        ConversationRestore.Item item = restore.next();
        send(new ClientEvent.CreateItem(item.role(), item.text()), Purpose.CONTEXT, item.turnIndex());
        awaitWithin(settings.itemTimeout(), "CONTEXT_TIMEOUT", "no acknowledgement of the conversation item restoring turn "
                + item.turnIndex());
    }

    /** Our items are the only text items added while restoring: the previous turn's are all in by then. */
    private void onItemAdded(ServerEvent.ItemAdded added) {
        if (phase != Phase.RESTORING || !added.textual() || !restore.awaitingAcknowledgement()) {
            return;
        }
        timers.cancelWait();
        if (restore.acknowledged()) {
            resumeAfterRestore();
        } else {
            sendNextItem();
        }
    }

    /**
     * The provider refused a context item (CONTEXT_REFUSED): the rest of the context goes as audio. That audio is at
     * hand for the request's context turns still ahead in the stream; an item restoring a turn the attempt has no audio
     * for any more (after a rotation) fails the attempt, and the retry re-sends it from the stream.
     */
    private void onContextRefused(Classification classification) {
        if (phase != Phase.RESTORING || !restore.awaitingAcknowledgement()) {
            return;
        }
        timers.cancelWait();
        ConversationRestore.Item refused = restore.refused(classification.message());
        AudioPiece held = audio.peekHeld().orElseThrow();
        Optional<Turn> refusedTurn = turns.turn(refused.turnIndex());
        boolean audioAhead = refusedTurn.isPresent() && refusedTurn.get().context()
                && refusedTurn.get().stage() == Stage.PLANNED && refused.turnIndex() >= held.turnIndex();
        if (!audioAhead && refused.role() == ClientEvent.CreateItem.Role.USER) {
            fail(Classification.transientFailure("CONTEXT_REFUSED", "conversation.item.create restoring turn "
                    + refused.turnIndex() + " was refused and its audio is not at hand on this connection: "
                    + classification.message()));
            return;
        }
        SessionLog.info(log, request.sessionId(), request.runToken(), "session {}: the provider refused conversation "
                + "context for turn {}; re-sending earlier turns' audio instead: {}", request.sessionId(),
                refused.turnIndex(), classification.message());
        resumeAfterRestore();
    }

    private void resumeAfterRestore() {
        enter(Phase.STREAMING);
        onPiece(audio.takeHeld().orElseThrow());
    }

    // ---------------------------------------------------------------- rotation, drain, end

    private void rotate() {
        enter(Phase.ROTATING);
        afterProgress();
    }

    private void afterProgress() {
        if (phase == Phase.ROTATING && turns.noItemPending() && responses.idle()) {
            slot.closeOnPurpose();
            slot.connection().ifPresent(open -> open.close(CLOSE_NORMAL, "rotating to a new session"));
            rotations++;
            SessionLog.info(log, request.sessionId(), request.runToken(), "session {}: rotating to a new provider "
                    + "session after {} min", request.sessionId(), slot.age(System.nanoTime()).toMinutes());
            enter(Phase.CONNECTING);
            connect();
        } else if (phase == Phase.DRAINING) {
            finishIfDone();
        }
    }

    private void drain() {
        enter(Phase.DRAINING);
        List<Integer> incomplete = turns.withoutEnd();
        if (!incomplete.isEmpty()) {
            fail(Classification.permanent("AUDIO_INCOMPLETE", "the audio ended before turns " + incomplete + " did"));
            return;
        }
        finishIfDone();
    }

    private void finishIfDone() {
        if (!turns.noItemPending() || !responses.idle() || !turns.allDone()) {
            return;
        }
        end(Optional.of(new SessionOutcome.Completed(turns.results(), responses.results(), providerSessionIds, rotations,
                unknownEvents, providerErrors)), "session complete");
    }

    private void fail(Classification classification) {
        if (phase == Phase.DONE) {
            return;
        }
        SessionLog.info(log, request.sessionId(), request.runToken(), "session {} attempt {} failed: {} ({}): {}",
                request.sessionId(), request.attempt(), classification.reason(), classification.failureClass(),
                classification.message());
        end(Optional.of(new SessionOutcome.Failed(classification, providerSessionIds)),
                "streamscribe: " + classification.reason());
    }

    /**
     * The one way an attempt ends, completed, failed or cancelled (then {@code result} is empty: the outcome is
     * already cancelled): timers stop, the audio subscription is cancelled, the outcome is delivered and the
     * socket says goodbye with 1000 (aborted if the closing handshake takes longer than {@link #CLOSE_WITHIN}).
     * Runs on the serial executor, so the connection it closes is the current one.
     */
    private void end(Optional<SessionOutcome> result, String closeReason) {
        if (phase == Phase.DONE) {
            return;
        }
        enter(Phase.DONE);
        accepting.set(false);
        cancelIdleClose();
        timers.cancelAll();
        turns.cancelTimers();
        if (!audio.complete()) {
            audio.cancel();
        }
        slot.closeOnPurpose();
        result.ifPresent(outcome::complete);
        slot.connection().ifPresent(open -> open.close(CLOSE_NORMAL, closeReason)
                .orTimeout(CLOSE_WITHIN.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((ignored, error) -> {
                    if (error != null) {
                        open.abort();
                    }
                }));
    }

    // ---------------------------------------------------------------- timers

    /** Fails the attempt unless the phase it is in now has moved on within {@code timeout}. */
    private void awaitWithin(Duration timeout, String reason, String what) {
        Phase waitingIn = phase;
        timers.awaitWithin(timeout, () -> {
            if (phase == waitingIn) {
                fail(Classification.transientFailure(reason, what + " within " + timeout.toMillis() + " ms"));
            }
        });
    }

    private static String describe(Throwable error) {
        return error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
