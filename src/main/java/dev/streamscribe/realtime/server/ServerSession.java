package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.util.SerialExecutor;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One connection of the local realtime server: the provider side of docs/protocol.md sections 2-7 in one dialect.
 * Manual commits only; a committed turn is transcribed by the {@link SpeechEngine}; a response is produced by
 * the {@link ResponseEngine} and streamed down the full event ladder to {@code response.done}. Client mistakes
 * are answered with an {@code error} event and the socket stays open.
 *
 * <p>Threading: Jetty delivers this connection's messages one at a time; they, engine completions and timers are
 * all handled on this session's {@link SerialExecutor}, so no field needs a lock. Outgoing events are written in
 * order, through a chain when the fault plan delays them.
 */
public final class ServerSession implements Session.Listener.AutoDemanding {
    private static final Logger log = LoggerFactory.getLogger(ServerSession.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> GA_REALTIME_FIELDS = Set.of("type", "model", "output_modalities", "instructions",
            "audio", "include", "max_output_tokens", "tools", "tool_choice", "parallel_tool_calls", "reasoning",
            "truncation", "tracing", "prompt");
    private static final Set<String> GA_TRANSCRIPTION_FIELDS = Set.of("type", "audio", "include");
    private static final Set<String> INWORLD_EXTRA_FIELDS = Set.of("temperature", "providerData");
    private static final Set<String> BETA_FIELDS = Set.of("modalities", "model", "instructions", "voice",
            "input_audio_format", "output_audio_format", "input_audio_transcription", "turn_detection",
            "input_audio_noise_reduction", "tools", "tool_choice", "temperature", "max_response_output_tokens",
            "tracing", "speed");
    private static final List<String> CLIENT_EVENTS = List.of("session.update", "input_audio_buffer.append",
            "input_audio_buffer.commit", "input_audio_buffer.clear", "conversation.item.create",
            "conversation.item.retrieve", "conversation.item.truncate", "conversation.item.delete", "response.create",
            "response.cancel", "output_audio_buffer.clear");

    private final ServerContext context;
    private final Dialect dialect;
    private final FaultPlan plan;
    private final SerialExecutor serial;
    private final String sessionId = "sess_" + randomId();
    private final long expiresAt = System.currentTimeMillis() / 1000 + 3600;

    private volatile Session socket;
    /** Set once the fault plan dropped the connection; writes may run off the serial executor when delayed. */
    private volatile boolean dropped;
    private CompletableFuture<Void> outbox = CompletableFuture.completedFuture(null);
    private int eventsSent;
    private boolean stalled;
    private boolean closed;
    private ScheduledFuture<?> expiry;

    // effective session configuration
    private String sessionType;
    private String model;
    private String instructions;
    private String outputModality = "audio";
    private String inputFormat = "pcm16";
    private ObjectNode transcription;
    private JsonNode noiseReduction;
    private boolean includeLogprobs;
    private JsonNode maxOutputTokens;

    // conversation state
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private String lastItemId;
    private int commits;
    private long lastTurnMs;
    private String lastTranscript;
    private String activeResponseId;
    private ScheduledFuture<?> activeResponseTask;
    private final List<ObjectNode> heldUntilResponseDone = new ArrayList<>();

    ServerSession(ServerContext context, Dialect dialect, boolean transcriptionIntent, Optional<String> requestedModel,
                  FaultPlan plan) {
        this.context = context;
        this.dialect = dialect;
        this.plan = plan;
        this.serial = new SerialExecutor(context.executor());
        this.sessionType = transcriptionIntent ? "transcription" : "realtime";
        this.model = requestedModel.orElse(dialect == Dialect.OPENAI_BETA ? "gpt-4o-realtime-preview" : "gpt-realtime");
        this.instructions = "You are the streamscribe local realtime server. No language model runs here.";
    }

    private static String randomId() {
        return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    // ---------------------------------------------------------------- Jetty callbacks

    @Override
    public void onWebSocketOpen(Session session) {
        serial.execute(() -> {
            socket = session;
            context.openSessions().incrementAndGet();
            expiry = context.timer().schedule(() -> serial.execute(this::expire),
                    context.maxSessionDuration().toMillis(), TimeUnit.MILLISECONDS);
            // Inworld starts without session.created ("the session starts immediately with default configuration")
            if (dialect != Dialect.INWORLD && !plan.omitSessionCreated()) {
                ObjectNode created = event("session.created");
                created.set("session", sessionObject());
                send(created);
            }
        });
    }

    @Override
    public void onWebSocketText(String message) {
        serial.execute(() -> handle(message));
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
        context.openSessions().decrementAndGet();
        if (expiry != null) {
            expiry.cancel(false);
        }
        if (activeResponseTask != null) {
            activeResponseTask.cancel(false);
        }
    }

    private void expire() {
        if (closed) {
            return;
        }
        send(errorEvent(ServerErrors.sessionExpired(), null));
        outbox.thenRun(() -> socket.close(1000, "session expired", Callback.NOOP));
    }

    // ---------------------------------------------------------------- client events

    private void handle(String message) {
        if (closed || stalled) {
            return;
        }
        int bytes = message.length();
        if (bytes > context.maxEventBytes()) {
            send(errorEvent(ServerErrors.invalidRequest("event_too_large", "The event is " + bytes
                    + " bytes; the limit is " + context.maxEventBytes() + " bytes.", null), null));
            return;
        }
        JsonNode event;
        try {
            event = JSON.readTree(message);
        } catch (JsonProcessingException e) {
            send(errorEvent(ServerErrors.invalidRequest("invalid_json", "The event is not valid JSON: "
                    + e.getOriginalMessage(), null), null));
            return;
        }
        if (event == null || !event.isObject()) {
            send(errorEvent(ServerErrors.invalidRequest("invalid_json", "The event is not a JSON object.", null), null));
            return;
        }
        String eventId = event.path("event_id").isTextual() ? event.get("event_id").asText() : null;
        JsonNode type = event.get("type");
        if (type == null || !type.isTextual()) {
            send(errorEvent(ServerErrors.invalidRequest("invalid_event", "The 'type' field is missing.", null), eventId));
            return;
        }
        switch (type.asText()) {
            case "session.update" -> onSessionUpdate(event, eventId);
            case "input_audio_buffer.append" -> onAppend(event, eventId);
            case "input_audio_buffer.commit" -> onCommit(eventId);
            case "input_audio_buffer.clear" -> {
                buffer.reset();
                send(event("input_audio_buffer.cleared"));
            }
            case "response.create" -> onResponseCreate(event, eventId);
            case "response.cancel" -> onResponseCancel(eventId);
            case "conversation.item.create", "conversation.item.retrieve", "conversation.item.truncate",
                 "conversation.item.delete", "output_audio_buffer.clear" -> send(errorEvent(ServerErrors.invalidRequest(
                    "event_not_supported", "The local streamscribe server does not implement '" + type.asText() + "'.",
                    "type"), eventId));
            default -> send(errorEvent(ServerErrors.invalidRequest("invalid_value", "Invalid value: '" + type.asText()
                    + "'. Supported values are: " + String.join(", ", CLIENT_EVENTS.stream().map(t -> "'" + t + "'").toList())
                    + ".", "type"), eventId));
        }
    }

    private void onSessionUpdate(JsonNode event, String eventId) {
        JsonNode session = event.get("session");
        if (session == null || !session.isObject()) {
            send(errorEvent(ServerErrors.invalidRequest("missing_required_parameter",
                    "Missing required parameter: 'session'.", "session"), eventId));
            return;
        }
        Optional<ObjectNode> problem = dialect == Dialect.OPENAI_BETA ? applyBeta(session) : applyGa(session);
        if (problem.isPresent()) {
            send(errorEvent(problem.get(), eventId)); // a refused update changes nothing
            return;
        }
        ObjectNode updated = event("session.updated");
        updated.set("session", sessionObject());
        send(updated);
    }

    /** Validates and applies a GA-shaped update (GA and Inworld); an error object when refused. */
    private Optional<ObjectNode> applyGa(JsonNode session) {
        JsonNode type = session.get("type");
        if (type == null || type.isNull()) {
            return Optional.of(ServerErrors.invalidRequest("missing_required_parameter",
                    "Missing required parameter: 'session.type'.", "session.type"));
        }
        String requested = type.asText();
        boolean inworld = dialect == Dialect.INWORLD;
        if (!requested.equals("realtime") && (inworld || !requested.equals("transcription"))) {
            return Optional.of(ServerErrors.invalidRequest("invalid_value", "Invalid value: '" + requested
                    + "'. Supported values are: " + (inworld ? "'realtime'." : "'realtime' and 'transcription'."),
                    "session.type"));
        }
        if (!requested.equals(sessionType)) {
            return Optional.of(ServerErrors.invalidRequest("invalid_parameter", "Passing a " + requested
                    + " session update event to a " + sessionType + " session is not allowed.", "session.type"));
        }
        Set<String> allowed = new java.util.HashSet<>(requested.equals("transcription") ? GA_TRANSCRIPTION_FIELDS : GA_REALTIME_FIELDS);
        if (inworld) {
            allowed.addAll(INWORLD_EXTRA_FIELDS);
        }
        Optional<ObjectNode> unknown = unknownField(session, allowed, "session");
        if (unknown.isPresent()) {
            return unknown;
        }
        JsonNode input = session.path("audio").path("input");
        String format = inputFormat;
        if (input.has("format")) {
            JsonNode f = input.get("format");
            if (!f.isObject()) {
                return Optional.of(ServerErrors.invalidRequest("invalid_type", "Invalid type for "
                        + "'session.audio.input.format': expected an object, but got a " + jsonType(f) + " instead.",
                        "session.audio.input.format"));
            }
            switch (f.path("type").asText("")) {
                case "audio/pcm" -> {
                    if (f.has("rate") && f.get("rate").asInt() != 24000) {
                        return Optional.of(ServerErrors.invalidRequest("invalid_value", "Invalid value: "
                                + f.get("rate") + ". Supported values are: 24000.", "session.audio.input.format.rate"));
                    }
                    format = "pcm16";
                }
                case "audio/pcmu" -> format = "g711_ulaw";
                case "audio/pcma" -> format = "g711_alaw";
                default -> {
                    return Optional.of(ServerErrors.invalidRequest("invalid_value", "Invalid value: '"
                            + f.path("type").asText("") + "'. Supported values are: 'audio/pcm', 'audio/pcmu', and 'audio/pcma'.",
                            "session.audio.input.format.type"));
                }
            }
        }
        Optional<ObjectNode> vad = refuseVad(input.get("turn_detection"), "session.audio.input.turn_detection");
        if (vad.isPresent()) {
            return vad;
        }
        JsonNode newTranscription = input.get("transcription");
        Optional<ObjectNode> badTranscription = checkTranscription(newTranscription, "session.audio.input.transcription");
        if (badTranscription.isPresent()) {
            return badTranscription;
        }
        JsonNode modalities = session.get("output_modalities");
        if (modalities != null && (!modalities.isArray() || modalities.size() != 1
                || !Set.of("text", "audio").contains(modalities.get(0).asText()))) {
            return Optional.of(ServerErrors.invalidRequest("invalid_value", "Invalid value: " + modalities
                    + ". Supported values are: ['text'] and ['audio'].", "session.output_modalities"));
        }
        // everything checked: apply (only the fields present are updated)
        inputFormat = format;
        if (input.has("transcription")) {
            transcription = newTranscription.isNull() ? null : (ObjectNode) newTranscription.deepCopy();
        }
        if (input.has("noise_reduction")) {
            noiseReduction = input.get("noise_reduction");
        }
        if (session.has("model")) {
            model = session.get("model").asText();
        }
        if (session.has("instructions")) {
            instructions = session.get("instructions").asText();
        }
        if (modalities != null) {
            outputModality = modalities.get(0).asText();
        }
        if (session.has("max_output_tokens")) {
            maxOutputTokens = session.get("max_output_tokens");
        }
        if (session.has("include")) {
            includeLogprobs = session.get("include").toString().contains("item.input_audio_transcription.logprobs");
        }
        return Optional.empty();
    }

    /** Validates and applies a beta update; an error object when refused. */
    private Optional<ObjectNode> applyBeta(JsonNode session) {
        Optional<ObjectNode> unknown = unknownField(session, BETA_FIELDS, "session");
        if (unknown.isPresent()) {
            return unknown;
        }
        String format = inputFormat;
        if (session.has("input_audio_format")) {
            format = session.get("input_audio_format").asText("");
            if (!Set.of("pcm16", "g711_ulaw", "g711_alaw").contains(format)) {
                return Optional.of(ServerErrors.invalidRequest("invalid_value", "Invalid value: '" + format
                        + "'. Supported values are: 'pcm16', 'g711_ulaw', and 'g711_alaw'.", "session.input_audio_format"));
            }
        }
        Optional<ObjectNode> vad = refuseVad(session.get("turn_detection"), "session.turn_detection");
        if (vad.isPresent()) {
            return vad;
        }
        JsonNode newTranscription = session.get("input_audio_transcription");
        if (newTranscription != null && newTranscription.isObject() && newTranscription.has("enabled")) {
            return Optional.of(ServerErrors.invalidRequest("unknown_parameter",
                    "Unknown parameter: 'session.input_audio_transcription.enabled'.",
                    "session.input_audio_transcription.enabled"));
        }
        Optional<ObjectNode> badTranscription = checkTranscription(newTranscription, "session.input_audio_transcription");
        if (badTranscription.isPresent()) {
            return badTranscription;
        }
        JsonNode modalities = session.get("modalities");
        inputFormat = format;
        if (session.has("input_audio_transcription")) {
            transcription = newTranscription.isNull() ? null : (ObjectNode) newTranscription.deepCopy();
        }
        if (session.has("input_audio_noise_reduction")) {
            noiseReduction = session.get("input_audio_noise_reduction");
        }
        if (session.has("model")) {
            model = session.get("model").asText();
        }
        if (session.has("instructions")) {
            instructions = session.get("instructions").asText();
        }
        if (modalities != null && modalities.isArray()) {
            outputModality = modalities.toString().contains("audio") ? "audio" : "text";
        }
        if (session.has("max_response_output_tokens")) {
            maxOutputTokens = session.get("max_response_output_tokens");
        }
        return Optional.empty();
    }

    private static Optional<ObjectNode> unknownField(JsonNode object, Set<String> allowed, String path) {
        for (var it = object.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                return Optional.of(ServerErrors.invalidRequest("unknown_parameter", "Unknown parameter: '" + path + "."
                        + name + "'.", path + "." + name));
            }
        }
        return Optional.empty();
    }

    private static Optional<ObjectNode> refuseVad(JsonNode turnDetection, String param) {
        if (turnDetection != null && !turnDetection.isNull()) {
            return Optional.of(ServerErrors.invalidRequest("turn_detection_not_supported", "The local streamscribe "
                    + "server commits only when told: send turn_detection null and input_audio_buffer.commit.", param));
        }
        return Optional.empty();
    }

    private static Optional<ObjectNode> checkTranscription(JsonNode transcription, String param) {
        if (transcription == null || transcription.isNull()) {
            return Optional.empty();
        }
        if (!transcription.isObject()) {
            return Optional.of(ServerErrors.invalidRequest("invalid_type", "Invalid type for '" + param
                    + "': expected an object, but got a " + jsonType(transcription) + " instead.", param));
        }
        if (!transcription.path("model").isTextual() || transcription.get("model").asText().isBlank()) {
            return Optional.of(ServerErrors.invalidRequest("missing_required_parameter", "Missing required parameter: '"
                    + param + ".model'.", param + ".model"));
        }
        return Optional.empty();
    }

    private static String jsonType(JsonNode node) {
        return node.isTextual() ? "string" : node.isNumber() ? "number" : node.isArray() ? "array"
                : node.isBoolean() ? "boolean" : "object";
    }

    private void onAppend(JsonNode event, String eventId) {
        JsonNode audio = event.get("audio");
        if (audio == null || !audio.isTextual()) {
            send(errorEvent(ServerErrors.invalidRequest("missing_required_parameter",
                    "Missing required parameter: 'audio'.", "audio"), eventId));
            return;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(audio.asText());
        } catch (IllegalArgumentException e) {
            send(errorEvent(ServerErrors.invalidRequest("invalid_audio_base64", "Invalid 'audio': not valid base64 ("
                    + e.getMessage() + ").", "audio"), eventId));
            return;
        }
        if (inputFormat.equals("pcm16") && bytes.length % 2 != 0) {
            send(errorEvent(ServerErrors.invalidRequest("invalid_audio_length", "Invalid 'audio': " + bytes.length
                    + " bytes is not a whole number of 2-byte pcm16 samples.", "audio"), eventId));
            return;
        }
        if (buffer.size() + bytes.length > ServerContext.MAX_BUFFER_BYTES) {
            send(errorEvent(ServerErrors.invalidRequest("input_audio_buffer_too_large", "The input audio buffer would "
                    + "exceed " + ServerContext.MAX_BUFFER_BYTES + " bytes; commit more often.", "audio"), eventId));
            return;
        }
        buffer.writeBytes(bytes);
        // appends are never acknowledged
    }

    private int bytesPerMs() {
        return inputFormat.equals("pcm16") ? 48 : 8;
    }

    private void onCommit(String eventId) {
        byte[] audio = buffer.toByteArray();
        buffer.reset();
        double millis = audio.length / (double) bytesPerMs();
        if (millis < 100) {
            send(errorEvent(ServerErrors.commitTooSmall(millis), eventId));
            return;
        }
        int commit = ++commits;
        if (plan.injectedError().isPresent() && plan.injectAtCommit() == commit) {
            switch (plan.injectedError().get()) {
                case RATE_LIMIT_EXCEEDED -> send(errorEvent(ServerErrors.rateLimited(), eventId));
                case SERVER_ERROR -> send(errorEvent(ServerErrors.serverError(sessionId), null));
                case SESSION_EXPIRED -> expire();
            }
            return;
        }
        String itemId = "item_" + randomId();
        ObjectNode committed = event("input_audio_buffer.committed");
        putNullable(committed, "previous_item_id", lastItemId);
        committed.put("item_id", itemId);
        send(committed);
        ObjectNode item = JSON.createObjectNode();
        item.put("id", itemId).put("object", "realtime.item").put("type", "message").put("status", "completed")
                .put("role", "user");
        item.putArray("content").addObject().put("type", "input_audio").putNull("transcript");
        sendItemEvents(item, lastItemId, true);
        lastItemId = itemId;
        lastTurnMs = (long) millis;
        lastTranscript = null;
        if (transcription != null) {
            SpeechInput input = new SpeechInput(audio, inputFormat, transcription.path("model").asText(),
                    optionalText(transcription, "language"), optionalText(transcription, "prompt"));
            CompletableFuture<String> result;
            try {
                result = context.engine().transcribe(input);
            } catch (RuntimeException e) {
                result = CompletableFuture.failedFuture(e);
            }
            result.whenComplete((text, error) -> serial.execute(() -> deliverTranscription(itemId, input, text, error)));
        }
    }

    private static Optional<String> optionalText(JsonNode node, String field) {
        return node.path(field).isTextual() ? Optional.of(node.get(field).asText()) : Optional.empty();
    }

    /** conversation.item.added + .done (GA, Inworld) or conversation.item.created (beta). */
    private void sendItemEvents(ObjectNode item, String previousItemId, boolean done) {
        if (dialect == Dialect.OPENAI_BETA) {
            ObjectNode created = event("conversation.item.created");
            putNullable(created, "previous_item_id", previousItemId);
            created.set("item", betaItem(item));
            send(created);
            return;
        }
        ObjectNode added = event("conversation.item.added");
        putNullable(added, "previous_item_id", previousItemId);
        added.set("item", item.deepCopy());
        send(added);
        if (done) {
            ObjectNode finished = event("conversation.item.done");
            putNullable(finished, "previous_item_id", previousItemId);
            finished.set("item", item.deepCopy());
            send(finished);
        }
    }

    private static ObjectNode betaItem(ObjectNode item) {
        ObjectNode copy = item.deepCopy();
        for (JsonNode part : copy.path("content")) {
            ObjectNode p = (ObjectNode) part;
            switch (p.path("type").asText()) {
                case "output_text" -> p.put("type", "text");
                case "output_audio" -> p.put("type", "audio");
                default -> {
                }
            }
        }
        return copy;
    }

    private void deliverTranscription(String itemId, SpeechInput input, String text, Throwable error) {
        if (closed) {
            return;
        }
        List<ObjectNode> events = new ArrayList<>();
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            log.warn("local realtime session {}: transcription of {} failed: {}", sessionId, itemId, cause.toString());
            if (dialect == Dialect.INWORLD) {
                // Inworld has no ...transcription.failed; it reports an error event
                events.add(errorEvent(ServerErrors.error("server_error", null,
                        "Input transcription failed for item '" + itemId + "'.", null), null));
            } else {
                ObjectNode failed = event("conversation.item.input_audio_transcription.failed");
                failed.put("item_id", itemId).put("content_index", 0);
                failed.set("error", ServerErrors.error("transcription_error", "audio_unintelligible",
                        "The audio could not be transcribed.", null));
                events.add(failed);
            }
        } else {
            lastTranscript = itemId.equals(lastItemId) ? text : lastTranscript;
            String[] words = text.isEmpty() ? new String[0] : text.split(" ");
            int per = Math.max(1, (words.length + 2) / 3);
            for (int i = 0; i < words.length; i += per) {
                ObjectNode delta = event("conversation.item.input_audio_transcription.delta");
                delta.put("item_id", itemId).put("content_index", 0)
                        .put("delta", (i == 0 ? "" : " ") + String.join(" ", java.util.Arrays.copyOfRange(words, i, Math.min(words.length, i + per))));
                if (includeLogprobs) {
                    delta.set("logprobs", logprobs(java.util.Arrays.copyOfRange(words, i, Math.min(words.length, i + per))));
                }
                events.add(delta);
            }
            ObjectNode completed = event("conversation.item.input_audio_transcription.completed");
            completed.put("item_id", itemId).put("content_index", 0).put("transcript", text);
            if (includeLogprobs) {
                completed.set("logprobs", logprobs(words));
            } else {
                completed.putNull("logprobs");
            }
            if (dialect != Dialect.OPENAI_BETA) {
                // billed like whisper-1 / gpt-live-transcribe: whole seconds per commit, rounded up
                completed.putObject("usage").put("type", "duration").put("seconds", (long) Math.ceil(input.durationMs() / 1000.0));
            }
            events.add(completed);
        }
        if (plan.transcriptionAfterResponseDone() && sessionType.equals("realtime")) {
            heldUntilResponseDone.addAll(events);
        } else {
            events.forEach(this::send);
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

    private void onResponseCreate(JsonNode event, String eventId) {
        if (sessionType.equals("transcription")) {
            send(errorEvent(ServerErrors.invalidRequest("invalid_value", "Invalid value: 'response.create'. Responses "
                    + "are not available in transcription sessions.", "type"), eventId));
            return;
        }
        if (activeResponseId != null) {
            send(errorEvent(ServerErrors.activeResponse(activeResponseId), eventId));
            return;
        }
        JsonNode params = event.path("response");
        String modality = outputModality;
        JsonNode requested = params.get(dialect == Dialect.OPENAI_BETA ? "modalities" : "output_modalities");
        if (requested != null && requested.isArray() && !requested.isEmpty()) {
            modality = requested.toString().contains("audio") ? "audio" : "text";
        }
        Optional<String> responseInstructions = optionalText(params, "instructions").or(() -> Optional.ofNullable(instructions));
        String responseId = "resp_" + randomId();
        String itemId = "item_" + randomId();
        activeResponseId = responseId;
        ObjectNode limits = event("rate_limits.updated");
        ArrayNode entries = limits.putArray("rate_limits");
        entries.addObject().put("name", "requests").put("limit", 1000).put("remaining", 999).put("reset_seconds", 60);
        entries.addObject().put("name", "tokens").put("limit", 50000).put("remaining", 49000).put("reset_seconds", 60);
        send(limits);
        ObjectNode created = event("response.created");
        created.set("response", responseObject(responseId, "in_progress", modality, JSON.createArrayNode(), null,
                params.get("metadata"), null));
        send(created);
        String text = context.responses().respond(responseInstructions, lastTurnMs, Optional.ofNullable(lastTranscript));
        String finalModality = modality;
        JsonNode metadata = params.get("metadata");
        ObjectNode item = JSON.createObjectNode();
        item.put("id", itemId).put("object", "realtime.item").put("type", "message").put("status", "in_progress")
                .put("role", "assistant");
        item.putArray("content");
        ObjectNode outputAdded = event("response.output_item.added");
        outputAdded.put("response_id", responseId).put("output_index", 0);
        outputAdded.set("item", dialect == Dialect.OPENAI_BETA ? betaItem(item) : item.deepCopy());
        send(outputAdded);
        sendItemEvents(item, lastItemId, false);
        String previous = lastItemId;
        lastItemId = itemId;
        ObjectNode partAdded = event("response.content_part.added");
        partAdded.put("response_id", responseId).put("item_id", itemId).put("output_index", 0).put("content_index", 0);
        partAdded.set("part", part(finalModality, ""));
        send(partAdded);
        // the rest arrives after the response's duration: while it runs, the response is active
        activeResponseTask = context.timer().schedule(() -> serial.execute(() -> finishResponse(responseId, itemId,
                        previous, finalModality, text, metadata, "completed", null)),
                context.responseDuration().toMillis(), TimeUnit.MILLISECONDS);
    }

    private ObjectNode part(String modality, String text) {
        ObjectNode part = JSON.createObjectNode();
        if (modality.equals("audio")) {
            part.put("type", "audio").put("transcript", text);
        } else {
            part.put("type", "text").put("text", text);
        }
        return part;
    }

    private void finishResponse(String responseId, String itemId, String previousItemId, String modality, String text,
                                JsonNode metadata, String status, String reason) {
        if (closed || !responseId.equals(activeResponseId)) {
            return;
        }
        boolean beta = dialect == Dialect.OPENAI_BETA;
        boolean audio = modality.equals("audio");
        String content = status.equals("completed") ? text : "";
        if (!content.isEmpty()) {
            if (audio) {
                ObjectNode audioDelta = event(beta ? "response.audio.delta" : "response.output_audio.delta");
                audioDelta.put("response_id", responseId).put("item_id", itemId).put("output_index", 0).put("content_index", 0)
                        .put("delta", Base64.getEncoder().encodeToString(new byte[4800])); // 100 ms of silence: no voice here
                send(audioDelta);
            }
            ObjectNode delta = event(audio ? (beta ? "response.audio_transcript.delta" : "response.output_audio_transcript.delta")
                    : (beta ? "response.text.delta" : "response.output_text.delta"));
            delta.put("response_id", responseId).put("item_id", itemId).put("output_index", 0).put("content_index", 0)
                    .put("delta", content);
            send(delta);
        }
        if (audio) {
            ObjectNode audioDone = event(beta ? "response.audio.done" : "response.output_audio.done");
            audioDone.put("response_id", responseId).put("item_id", itemId).put("output_index", 0).put("content_index", 0);
            send(audioDone);
        }
        ObjectNode textDone = event(audio ? (beta ? "response.audio_transcript.done" : "response.output_audio_transcript.done")
                : (beta ? "response.text.done" : "response.output_text.done"));
        textDone.put("response_id", responseId).put("item_id", itemId).put("output_index", 0).put("content_index", 0)
                .put(audio ? "transcript" : "text", content);
        send(textDone);
        ObjectNode partDone = event("response.content_part.done");
        partDone.put("response_id", responseId).put("item_id", itemId).put("output_index", 0).put("content_index", 0);
        partDone.set("part", part(modality, content));
        send(partDone);
        ObjectNode item = JSON.createObjectNode();
        item.put("id", itemId).put("object", "realtime.item").put("type", "message")
                .put("status", status.equals("completed") ? "completed" : "incomplete").put("role", "assistant");
        ObjectNode itemContent = item.putArray("content").addObject();
        if (audio) {
            itemContent.put("type", "output_audio").put("transcript", content);
        } else {
            itemContent.put("type", "output_text").put("text", content);
        }
        ObjectNode outputDone = event("response.output_item.done");
        outputDone.put("response_id", responseId).put("output_index", 0);
        outputDone.set("item", beta ? betaItem(item) : item.deepCopy());
        send(outputDone);
        if (!beta) {
            ObjectNode itemDone = event("conversation.item.done");
            putNullable(itemDone, "previous_item_id", previousItemId);
            itemDone.set("item", item.deepCopy());
            send(itemDone);
        }
        ArrayNode output = JSON.createArrayNode();
        output.add(beta ? betaItem(item) : item);
        ObjectNode usage = JSON.createObjectNode();
        // the local server counts audio seconds and words: synthetic numbers, labelled as such in README
        long inputTokens = Math.max(1, lastTurnMs / 100);
        long outputTokens = content.isEmpty() ? 0 : content.split(" ").length;
        usage.put("total_tokens", inputTokens + outputTokens).put("input_tokens", inputTokens).put("output_tokens", outputTokens);
        usage.putObject("input_token_details").put("text_tokens", 0).put("audio_tokens", inputTokens).put("cached_tokens", 0);
        usage.putObject("output_token_details").put("text_tokens", audio ? 0 : outputTokens).put("audio_tokens", audio ? outputTokens : 0);
        ObjectNode details = null;
        if (!status.equals("completed")) {
            details = JSON.createObjectNode().put("type", status).put("reason", reason);
        }
        ObjectNode done = event("response.done");
        done.set("response", responseObject(responseId, status, modality, output, usage, metadata, details));
        send(done);
        activeResponseId = null;
        activeResponseTask = null;
        heldUntilResponseDone.forEach(this::send);
        heldUntilResponseDone.clear();
    }

    private ObjectNode responseObject(String id, String status, String modality, ArrayNode output, ObjectNode usage,
                                      JsonNode metadata, ObjectNode statusDetails) {
        ObjectNode response = JSON.createObjectNode();
        response.put("object", "realtime.response").put("id", id).put("status", status);
        response.set("status_details", statusDetails);
        response.set("output", output);
        ArrayNode modalities = JSON.createArrayNode();
        if (dialect == Dialect.OPENAI_BETA) {
            modalities.add("text");
            if (modality.equals("audio")) {
                modalities.add("audio");
            }
            response.set("modalities", modalities);
        } else {
            response.put("conversation_id", "conv_" + sessionId.substring(5));
            modalities.add(modality);
            response.set("output_modalities", modalities);
        }
        response.set("usage", usage);
        response.set("metadata", metadata == null || metadata.isMissingNode() ? null : metadata);
        return response;
    }

    private void onResponseCancel(String eventId) {
        if (activeResponseId == null) {
            send(errorEvent(ServerErrors.invalidRequest("response_cancel_not_active",
                    "Cancellation failed: no active response found", null), eventId));
            return;
        }
        if (activeResponseTask != null) {
            activeResponseTask.cancel(false);
        }
        finishResponse(activeResponseId, lastItemId, null, outputModality, "", null, "cancelled", "client_cancelled");
    }

    // ---------------------------------------------------------------- session object

    private ObjectNode sessionObject() {
        ObjectNode session = JSON.createObjectNode();
        if (dialect == Dialect.OPENAI_BETA) {
            session.put("id", sessionId).put("object", "realtime.session").put("model", model);
            ArrayNode modalities = session.putArray("modalities").add("text");
            if (outputModality.equals("audio")) {
                modalities.add("audio");
            }
            session.put("instructions", instructions).put("voice", "alloy")
                    .put("input_audio_format", inputFormat).put("output_audio_format", "pcm16");
            session.set("input_audio_transcription", transcription);
            session.putNull("turn_detection");
            session.set("input_audio_noise_reduction", noiseReduction);
            session.putArray("tools");
            session.put("tool_choice", "auto").put("temperature", 0.8);
            if (maxOutputTokens == null) {
                session.put("max_response_output_tokens", "inf");
            } else {
                session.set("max_response_output_tokens", maxOutputTokens);
            }
            return session;
        }
        boolean transcriptionSession = sessionType.equals("transcription");
        session.put("type", sessionType)
                .put("object", transcriptionSession ? "realtime.transcription_session" : "realtime.session")
                .put("id", sessionId);
        if (!transcriptionSession) {
            session.put("model", model);
            session.putArray("output_modalities").add(outputModality);
            session.put("instructions", instructions);
            session.putArray("tools");
            session.put("tool_choice", "auto");
            if (maxOutputTokens == null) {
                session.put("max_output_tokens", "inf");
            } else {
                session.set("max_output_tokens", maxOutputTokens);
            }
            session.putNull("tracing");
            session.putNull("prompt");
        }
        session.put("expires_at", expiresAt);
        if (includeLogprobs) {
            session.putArray("include").add("item.input_audio_transcription.logprobs");
        } else {
            session.putNull("include");
        }
        ObjectNode audio = session.putObject("audio");
        ObjectNode input = audio.putObject("input");
        ObjectNode format = input.putObject("format");
        switch (inputFormat) {
            case "g711_ulaw" -> format.put("type", "audio/pcmu");
            case "g711_alaw" -> format.put("type", "audio/pcma");
            default -> format.put("type", "audio/pcm").put("rate", 24000);
        }
        input.set("transcription", transcription);
        input.set("noise_reduction", noiseReduction);
        input.putNull("turn_detection");
        if (!transcriptionSession) {
            ObjectNode output = audio.putObject("output");
            output.putObject("format").put("type", "audio/pcm").put("rate", 24000);
            output.put("voice", "marin").put("speed", 1.0);
        }
        return session;
    }

    // ---------------------------------------------------------------- sending

    private ObjectNode event(String type) {
        ObjectNode event = JSON.createObjectNode();
        event.put("type", type);
        event.put("event_id", dialect == Dialect.INWORLD ? UUID.randomUUID().toString() : "event_" + randomId());
        return event;
    }

    private ObjectNode errorEvent(ObjectNode error, String correlatedEventId) {
        ObjectNode event = event("error");
        ObjectNode body = error.deepCopy();
        putNullable(body, "event_id", correlatedEventId);
        event.set("error", body);
        return event;
    }

    private static void putNullable(ObjectNode node, String field, String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private void send(ObjectNode event) {
        if (closed || stalled) {
            return;
        }
        if (plan.stallAfterEvents() >= 0 && eventsSent >= plan.stallAfterEvents()) {
            stalled = true;
            log.info("local realtime session {}: stalling after {} events (fault plan)", sessionId, eventsSent);
            return;
        }
        int ordinal = ++eventsSent;
        String text = event.toString();
        if (plan.eventDelay().isZero()) {
            write(text, ordinal);
        } else {
            outbox = outbox.thenRunAsync(() -> write(text, ordinal), CompletableFuture.delayedExecutor(
                    plan.eventDelay().toMillis(), TimeUnit.MILLISECONDS, context.executor()));
        }
    }

    private void write(String text, int ordinal) {
        if (dropped || !socket.isOpen()) {
            return;
        }
        if (plan.closeAfterEvents() >= 0 && ordinal > plan.closeAfterEvents()) {
            dropped = true;
            log.info("local realtime session {}: dropping the connection after {} events (fault plan)", sessionId,
                    plan.closeAfterEvents());
            socket.disconnect();
            return;
        }
        socket.sendText(text, Callback.NOOP);
    }
}
