package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.ServerSessionConfig.Type;
import dev.streamscribe.util.SerialExecutor;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Frame;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static dev.streamscribe.realtime.server.ServerDialect.JSON;

/**
 * One connection of the local realtime server: the provider side of docs/protocol.md sections 2-7. It reads client
 * events and answers them; what differs by dialect is in its {@link ServerDialect} (wire names and shapes, the
 * {@code session.update} validator), responses are streamed by a {@link ResponseStreamer}, and everything sent goes
 * through an {@link Outbox}, which owns fault injection. Manual commits only; a committed turn is transcribed by the
 * {@link SpeechEngine}. Client mistakes are answered with an {@code error} event and the socket stays open.
 *
 * <p>Threading: Jetty delivers this connection's frames one at a time on its threads, where only the text message
 * being put together ({@link TextMessages}) and pongs are handled; each whole message, engine completions and timers
 * are handled on this session's {@link SerialExecutor}, so no field needs a lock.
 */
public final class ServerSession implements Session.Listener.AutoDemanding {
    private static final Logger log = LoggerFactory.getLogger(ServerSession.class);
    private static final List<String> CLIENT_EVENTS = List.of("session.update", "input_audio_buffer.append",
            "input_audio_buffer.commit", "input_audio_buffer.clear", "conversation.item.create",
            "conversation.item.retrieve", "conversation.item.truncate", "conversation.item.delete", "response.create",
            "response.cancel", "output_audio_buffer.clear");
    /** The providers' minimum commit (docs/protocol.md section 7). */
    private static final double MIN_COMMIT_MS = 100;

    private final ServerContext context;
    private final ServerDialect dialect;
    private final FaultPlan plan;
    private final SerialExecutor serial;
    private final String sessionId = "sess_" + ServerDialect.randomId();
    private final long expiresAt = System.currentTimeMillis() / 1000 + 3600;
    private final Outbox outbox;
    private final Conversation conversation = new Conversation();
    private final ResponseStreamer responses;
    private final InputAudioBuffer buffer = new InputAudioBuffer();

    private Session socket;
    /** The same session, for what is answered on Jetty's thread (pongs, refused messages): set before any frame. */
    private volatile Session jetty;
    /** The text message being received; touched only on Jetty's delivery of this connection's frames. */
    private final TextMessages text;
    private ServerSessionConfig config;
    private int commits;
    private boolean closed;
    private ScheduledFuture<?> expiry;

    ServerSession(ServerContext context, Dialect dialect, boolean transcriptionIntent, Optional<String> requestedModel,
                  FaultPlan plan) {
        this.context = context;
        this.dialect = ServerDialect.of(dialect);
        this.plan = plan;
        this.serial = new SerialExecutor(context.executor());
        this.text = new TextMessages(context.maxTextMessageBytes());
        this.outbox = new Outbox(plan, context.executor(), sessionId);
        this.responses = new ResponseStreamer(context, this.dialect, outbox, serial, conversation, sessionId);
        this.config = new ServerSessionConfig(transcriptionIntent ? Type.TRANSCRIPTION : Type.REALTIME,
                requestedModel.orElse(this.dialect.defaultModel()),
                "You are the streamscribe local realtime server. No language model runs here.");
    }

    // ---------------------------------------------------------------- Jetty callbacks

    @Override
    public void onWebSocketOpen(Session session) {
        jetty = session;
        serial.execute(() -> {
            socket = session;
            outbox.attach(session);
            context.openSessions().incrementAndGet();
            expiry = context.timer().schedule(() -> serial.execute(this::expire),
                    context.maxSessionDuration().toMillis(), TimeUnit.MILLISECONDS);
            if (dialect.sendsSessionCreated() && !plan.omitSessionCreated()) {
                ObjectNode created = dialect.event("session.created");
                created.set("session", dialect.renderSession(config, sessionId, expiresAt));
                outbox.send(created);
            }
        });
    }

    /**
     * Every frame comes here (Jetty then calls no other handler for frames): text messages are put together by
     * {@link TextMessages}, a ping is answered with a pong (what Jetty does for an endpoint without its own frame
     * handler), binary messages are ignored as before, and close frames are Jetty's to answer
     * ({@link #onWebSocketClose} still follows).
     */
    @Override
    public void onWebSocketFrame(Frame frame, Callback callback) {
        Frame.Type type = Frame.Type.from(frame.getEffectiveOpCode());
        if (type == Frame.Type.TEXT) {
            try {
                text.add(frame.getPayload(), frame.isFin()).ifPresent(message -> serial.execute(() -> handle(message)));
            } catch (TextMessages.Refused refused) {
                jetty.close(refused.code(), refused.getMessage(), Callback.NOOP);
            }
        } else if (type == Frame.Type.PING) {
            ByteBuffer payload = ByteBuffer.allocate(frame.getPayloadLength());
            payload.put(frame.getPayload().duplicate()).flip();
            jetty.sendPong(payload, Callback.NOOP);
        }
        callback.succeed();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        serial.execute(this::onClosed);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        log.debug("local realtime session {}: {}", sessionId, cause.toString());
        serial.execute(this::onClosed);
    }

    private void onClosed() {
        if (closed) {
            return;
        }
        closed = true;
        outbox.closed();
        context.openSessions().decrementAndGet();
        if (expiry != null) {
            expiry.cancel(false);
        }
        responses.close();
    }

    private void expire() {
        if (closed) {
            return;
        }
        outbox.send(dialect.errorEvent(ServerErrors.sessionExpired(), null));
        outbox.afterPendingWrites(() -> socket.close(1000, "session expired", Callback.NOOP));
    }

    // ---------------------------------------------------------------- client events

    private void handle(TextMessages.Message message) {
        if (!outbox.reading()) {
            return;
        }
        int bytes = message.length();
        if (bytes > context.maxEventBytes()) {
            reject(ServerErrors.invalidRequest("event_too_large", "The event is " + bytes
                    + " bytes; the limit is " + context.maxEventBytes() + " bytes.", null), null);
            return;
        }
        ClientEventJson.Parsed parsed;
        try {
            parsed = ClientEventJson.parse(message.utf8(), message.length());
        } catch (JsonProcessingException e) {
            reject(ServerErrors.invalidRequest("invalid_json", "The event is not valid JSON: " + e.getOriginalMessage(),
                    null), null);
            return;
        }
        JsonNode event = parsed.event();
        if (event == null || !event.isObject()) {
            reject(ServerErrors.invalidRequest("invalid_json", "The event is not a JSON object.", null), null);
            return;
        }
        String eventId = event.path("event_id").isTextual() ? event.get("event_id").asText() : null;
        JsonNode type = event.get("type");
        if (type == null || !type.isTextual()) {
            reject(ServerErrors.invalidRequest("invalid_event", "The 'type' field is missing.", null), eventId);
            return;
        }
        switch (type.asText()) {
            case "session.update" -> onSessionUpdate(event, eventId);
            case "input_audio_buffer.append" -> onAppend(event, parsed.audio(), eventId);
            case "input_audio_buffer.commit" -> onCommit(eventId);
            case "input_audio_buffer.clear" -> {
                buffer.clear();
                outbox.send(dialect.event("input_audio_buffer.cleared"));
            }
            case "response.create" -> responses.create(event, eventId, config);
            case "response.cancel" -> responses.cancel(eventId, config);
            case "conversation.item.create" -> onItemCreate(event, eventId);
            case "conversation.item.retrieve", "conversation.item.truncate",
                 "conversation.item.delete", "output_audio_buffer.clear" -> reject(ServerErrors.invalidRequest(
                    "event_not_supported", "The local streamscribe server does not implement '" + type.asText() + "'.",
                    "type"), eventId);
            default -> reject(ServerErrors.invalidRequest("invalid_value", "Invalid value: '" + type.asText()
                    + "'. Supported values are: " + String.join(", ", CLIENT_EVENTS.stream().map(t -> "'" + t + "'").toList())
                    + ".", "type"), eventId);
        }
    }

    private void reject(ObjectNode error, String eventId) {
        outbox.send(dialect.errorEvent(error, eventId));
    }

    private void onSessionUpdate(JsonNode event, String eventId) {
        JsonNode session = event.get("session");
        if (session == null || !session.isObject()) {
            reject(ServerErrors.invalidRequest("missing_required_parameter", "Missing required parameter: 'session'.",
                    "session"), eventId);
            return;
        }
        ServerSessionConfig updated = config.copy();
        Optional<ObjectNode> problem = dialect.updates().apply(session, updated);
        if (problem.isPresent()) {
            reject(problem.get(), eventId); // a refused update changes nothing
            return;
        }
        config = updated;
        ObjectNode answer = dialect.event("session.updated");
        answer.set("session", dialect.renderSession(config, sessionId, expiresAt));
        outbox.send(answer);
    }

    /**
     * {@code conversation.item.create} of a text message (what a client restoring a conversation sends): user and
     * system items with {@code input_text}, assistant items with this dialect's text type ({@code output_text}; beta
     * {@code text}). Appended at the end; a {@code previous_item_id} other than the last item is not implemented. The
     * item is acknowledged with this dialect's item events and is part of the conversation responses see.
     */
    private void onItemCreate(JsonNode event, String eventId) {
        JsonNode item = event.get("item");
        if (item == null || !item.isObject()) {
            reject(ServerErrors.invalidRequest("missing_required_parameter", "Missing required parameter: 'item'.",
                    "item"), eventId);
            return;
        }
        if (!item.path("type").asText("").equals("message")) {
            reject(ServerErrors.invalidRequest("event_not_supported", "The local streamscribe server creates message "
                    + "items only, not '" + item.path("type").asText("") + "'.", "item.type"), eventId);
            return;
        }
        String role = item.path("role").asText("");
        String textType = role.equals("assistant") ? dialect.assistantTextType() : "input_text";
        if (!List.of("user", "assistant", "system").contains(role)) {
            reject(ServerErrors.invalidRequest("invalid_value", "Invalid value: '" + role + "'. Supported values are: "
                    + "'user', 'assistant' and 'system'.", "item.role"), eventId);
            return;
        }
        JsonNode content = item.get("content");
        if (content == null || !content.isArray() || content.isEmpty()) {
            reject(ServerErrors.invalidRequest("missing_required_parameter", "Missing required parameter: "
                    + "'item.content'.", "item.content"), eventId);
            return;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            if (!part.path("type").asText("").equals(textType) || !part.path("text").isTextual()) {
                reject(ServerErrors.invalidRequest("invalid_value", "Invalid 'item.content[" + i + "]': a " + role
                        + " message here takes parts of type '" + textType + "' with a 'text'.",
                        "item.content[" + i + "].type"), eventId);
                return;
            }
            text.append(part.get("text").asText());
        }
        JsonNode previousId = event.get("previous_item_id");
        if (previousId != null && !previousId.isNull() && !previousId.asText().equals(conversation.lastItemId())) {
            reject(ServerErrors.invalidRequest("invalid_value", "The local streamscribe server appends items only: "
                    + "'previous_item_id' must be the last item or absent.", "previous_item_id"), eventId);
            return;
        }
        String itemId = item.path("id").isTextual() ? item.get("id").asText() : "item_" + ServerDialect.randomId();
        String previous = conversation.textItem(itemId, role, text.toString());
        ObjectNode created = JSON.createObjectNode();
        created.put("id", itemId).put("object", "realtime.item").put("type", "message").put("status", "completed")
                .put("role", role);
        created.set("content", content.deepCopy());
        context.itemsCreated().incrementAndGet();
        dialect.itemEvents(created, previous, true).forEach(outbox::send);
    }

    private void onAppend(JsonNode event, Optional<ClientEventJson.Audio> audioFound, String eventId) {
        JsonNode audio = event.get("audio");
        if (audioFound.isEmpty() && (audio == null || !audio.isTextual())) {
            reject(ServerErrors.invalidRequest("missing_required_parameter", "Missing required parameter: 'audio'.",
                    "audio"), eventId);
            return;
        }
        ByteBuffer bytes;
        try {
            bytes = audioFound.isPresent() ? audioFound.get().decode()
                    : ByteBuffer.wrap(Base64.getDecoder().decode(audio.asText()));
        } catch (IllegalArgumentException e) {
            reject(ServerErrors.invalidRequest("invalid_audio_base64", "Invalid 'audio': not valid base64 ("
                    + e.getMessage() + ").", "audio"), eventId);
            return;
        }
        int length = bytes.remaining();
        int sampleBytes = config.inputFormat.bytesPerSample();
        if (length % sampleBytes != 0) {
            reject(ServerErrors.invalidRequest("invalid_audio_length", "Invalid 'audio': " + length
                    + " bytes is not a whole number of " + sampleBytes + "-byte " + config.inputFormat.betaName()
                    + " samples.", "audio"), eventId);
            return;
        }
        if (buffer.size() + length > ServerContext.MAX_BUFFER_BYTES) {
            reject(ServerErrors.invalidRequest("input_audio_buffer_too_large", "The input audio buffer would exceed "
                    + ServerContext.MAX_BUFFER_BYTES + " bytes; commit more often.", "audio"), eventId);
            return;
        }
        buffer.append(bytes);
        // appends are never acknowledged
    }

    private void onCommit(String eventId) {
        byte[] audio = buffer.take();
        double millis = audio.length / (double) config.inputFormat.bytesPerMillisecond();
        if (millis < MIN_COMMIT_MS) {
            reject(ServerErrors.commitTooSmall(millis), eventId);
            return;
        }
        int commit = ++commits;
        context.commitsAccepted().incrementAndGet();
        context.committedAudio().ifPresent(kept -> kept.merge(digest(audio),
                new LocalRealtimeServer.CommittedAudio(1, (long) millis), LocalRealtimeServer.CommittedAudio::plus));
        if (plan.injectedError().isPresent() && plan.injectAtCommit() == commit) {
            switch (plan.injectedError().get()) {
                case RATE_LIMIT_EXCEEDED -> reject(ServerErrors.rateLimited(), eventId);
                case INSUFFICIENT_QUOTA -> reject(ServerErrors.insufficientQuota(), eventId);
                case SERVER_ERROR -> reject(ServerErrors.serverError(sessionId), eventId); // answering the commit
                case SESSION_EXPIRED -> expire();
            }
            return;
        }
        String itemId = "item_" + ServerDialect.randomId();
        String previous = conversation.userTurn(itemId, (long) millis);
        ObjectNode committed = dialect.event("input_audio_buffer.committed");
        ServerDialect.putNullable(committed, "previous_item_id", previous);
        committed.put("item_id", itemId);
        outbox.send(committed);
        ObjectNode item = JSON.createObjectNode();
        item.put("id", itemId).put("object", "realtime.item").put("type", "message").put("status", "completed")
                .put("role", "user");
        item.putArray("content").addObject().put("type", "input_audio").putNull("transcript");
        dialect.itemEvents(item, previous, true).forEach(outbox::send);
        if (config.transcription != null) {
            SpeechInput input = new SpeechInput(audio, config.inputFormat, config.transcription.path("model").asText(),
                    ResponseStreamer.optionalText(config.transcription, "language"),
                    ResponseStreamer.optionalText(config.transcription, "prompt"));
            CompletableFuture<String> result;
            try {
                result = context.engine().transcribe(input);
            } catch (RuntimeException e) {
                result = CompletableFuture.failedFuture(e);
            }
            result.whenComplete((text, error) -> serial.execute(() -> deliverTranscription(itemId, input, text, error)));
        }
    }

    private void deliverTranscription(String itemId, SpeechInput input, String text, Throwable error) {
        if (closed) {
            return;
        }
        List<ObjectNode> events = new ArrayList<>();
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            log.warn("local realtime session {}: transcription of {} failed: {}", sessionId, itemId, cause.toString());
            events.addAll(dialect.transcriptionFailed(itemId));
        } else {
            conversation.transcribed(itemId, text);
            String[] words = text.isEmpty() ? new String[0] : text.split(" ");
            int per = Math.max(1, (words.length + 2) / 3);
            for (int i = 0; i < words.length; i += per) {
                String[] slice = Arrays.copyOfRange(words, i, Math.min(words.length, i + per));
                ObjectNode delta = dialect.event("conversation.item.input_audio_transcription.delta");
                delta.put("item_id", itemId).put("content_index", 0).put("delta", (i == 0 ? "" : " ") + String.join(" ", slice));
                if (config.includeLogprobs) {
                    delta.set("logprobs", logprobs(slice));
                }
                events.add(delta);
            }
            ObjectNode completed = dialect.event("conversation.item.input_audio_transcription.completed");
            completed.put("item_id", itemId).put("content_index", 0).put("transcript", text);
            if (config.includeLogprobs) {
                completed.set("logprobs", logprobs(words));
            } else {
                completed.putNull("logprobs");
            }
            if (dialect.reportsTranscriptionUsage()) {
                completed.set("usage", TranscriptionUsage.of(input.model(), input.durationMs(), text,
                        input.prompt().orElse("")));
            }
            events.add(completed);
        }
        if (plan.transcriptionAfterResponseDone() && !config.transcriptionOnly()) {
            responses.holdUntilDone(events);
        } else {
            events.forEach(outbox::send);
        }
    }

    private static String digest(byte[] audio) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(audio));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The deterministic and local engines are certain of what they output: logprob 0 for every word. */
    private static ArrayNode logprobs(String[] words) {
        ArrayNode array = JSON.createArrayNode();
        for (String word : words) {
            ObjectNode entry = array.addObject().put("token", word).put("logprob", 0.0);
            ArrayNode bytes = entry.putArray("bytes");
            for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
                bytes.add(b & 0xff);
            }
        }
        return array;
    }
}
