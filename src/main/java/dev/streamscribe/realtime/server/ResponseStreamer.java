package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamscribe.realtime.server.ServerSessionConfig.Modality;
import dev.streamscribe.util.SerialExecutor;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static dev.streamscribe.realtime.server.ServerDialect.JSON;

/**
 * One session's responses: {@code response.create} streams the full event ladder down to {@code response.done}
 * (rate limits, created, output item, content part, deltas, dones) in the session's dialect, one response at a time;
 * the text comes from the {@link ResponseEngine}, after the configured response duration. {@code response.cancel}
 * ends the active one with status cancelled. Events the fault plan holds back (transcriptions after
 * {@code response.done}) are sent when the active response is done.
 *
 * <p>Threading: owned by one session's serial executor; the delayed end is re-submitted there.
 */
final class ResponseStreamer {
    private final ServerContext context;
    private final ServerDialect dialect;
    private final Outbox outbox;
    private final SerialExecutor serial;
    private final Conversation conversation;
    private final String sessionId;
    private final List<ObjectNode> heldUntilDone = new ArrayList<>();
    private String activeResponseId;
    private ScheduledFuture<?> activeTask;
    private boolean closed;

    ResponseStreamer(ServerContext context, ServerDialect dialect, Outbox outbox, SerialExecutor serial,
                     Conversation conversation, String sessionId) {
        this.context = context;
        this.dialect = dialect;
        this.outbox = outbox;
        this.serial = serial;
        this.conversation = conversation;
        this.sessionId = sessionId;
    }

    void create(JsonNode event, String eventId, ServerSessionConfig config) {
        if (config.transcriptionOnly()) {
            outbox.send(dialect.errorEvent(ServerErrors.invalidRequest("invalid_value", "Invalid value: "
                    + "'response.create'. Responses are not available in transcription sessions.", "type"), eventId));
            return;
        }
        if (activeResponseId != null) {
            outbox.send(dialect.errorEvent(ServerErrors.activeResponse(activeResponseId), eventId));
            return;
        }
        JsonNode params = event.path("response");
        Modality modality = config.outputModality;
        JsonNode requested = params.get(dialect.responseModalitiesField());
        if (requested != null && requested.isArray() && !requested.isEmpty()) {
            modality = requested.toString().contains("audio") ? Modality.AUDIO : Modality.TEXT;
        }
        Optional<String> instructions = optionalText(params, "instructions").or(() -> Optional.ofNullable(config.instructions));
        String responseId = "resp_" + ServerDialect.randomId();
        String itemId = "item_" + ServerDialect.randomId();
        activeResponseId = responseId;
        ObjectNode limits = dialect.event("rate_limits.updated");
        ArrayNode entries = limits.putArray("rate_limits");
        entries.addObject().put("name", "requests").put("limit", 1000).put("remaining", 999).put("reset_seconds", 60);
        entries.addObject().put("name", "tokens").put("limit", 50000).put("remaining", 49000).put("reset_seconds", 60);
        outbox.send(limits);
        ObjectNode created = dialect.event("response.created");
        created.set("response", responseObject(responseId, "in_progress", modality, JSON.createArrayNode(), null,
                params.get("metadata"), null));
        outbox.send(created);
        String text = context.responses().respond(instructions, conversation.lastTurnMs(), conversation.lastTranscript(),
                conversation.earlier());
        JsonNode metadata = params.get("metadata");
        ObjectNode item = JSON.createObjectNode();
        item.put("id", itemId).put("object", "realtime.item").put("type", "message").put("status", "in_progress")
                .put("role", "assistant");
        item.putArray("content");
        ObjectNode outputAdded = dialect.event("response.output_item.added");
        outputAdded.put("response_id", responseId).put("output_index", 0);
        outputAdded.set("item", dialect.item(item));
        outbox.send(outputAdded);
        dialect.itemEvents(item, conversation.lastItemId(), false).forEach(outbox::send);
        String previous = conversation.assistantItem(itemId, text);
        ObjectNode partAdded = dialect.event("response.content_part.added");
        partAdded.put("response_id", responseId).put("item_id", itemId).put("output_index", 0).put("content_index", 0);
        partAdded.set("part", part(modality, ""));
        outbox.send(partAdded);
        // the rest arrives after the response's duration: while it runs, the response is active
        Modality finalModality = modality;
        activeTask = context.timer().schedule(() -> serial.execute(() -> finish(responseId, itemId, previous,
                        finalModality, text, metadata, "completed", null)),
                context.responseDuration().toMillis(), TimeUnit.MILLISECONDS);
    }

    void cancel(String eventId, ServerSessionConfig config) {
        if (activeResponseId == null) {
            outbox.send(dialect.errorEvent(ServerErrors.invalidRequest("response_cancel_not_active",
                    "Cancellation failed: no active response found", null), eventId));
            return;
        }
        if (activeTask != null) {
            activeTask.cancel(false);
        }
        finish(activeResponseId, conversation.lastItemId(), null, config.outputModality, "", null, "cancelled",
                "client_cancelled");
    }

    /** Holds {@code events} until the active (or next) response is done. */
    void holdUntilDone(List<ObjectNode> events) {
        heldUntilDone.addAll(events);
    }

    /** The connection closed: a response in progress never finishes. */
    void close() {
        closed = true;
        if (activeTask != null) {
            activeTask.cancel(false);
        }
    }

    private void finish(String responseId, String itemId, String previousItemId, Modality modality, String text,
                        JsonNode metadata, String status, String reason) {
        if (closed || !responseId.equals(activeResponseId)) {
            return;
        }
        boolean audio = modality == Modality.AUDIO;
        String content = status.equals("completed") ? text : "";
        if (!content.isEmpty()) {
            if (audio) {
                ObjectNode audioDelta = dialect.event(dialect.audioDeltaType());
                audioDelta.put("response_id", responseId).put("item_id", itemId).put("output_index", 0).put("content_index", 0)
                        .put("delta", Base64.getEncoder().encodeToString(new byte[4800])); // 100 ms of silence: no voice here
                outbox.send(audioDelta);
            }
            ObjectNode delta = dialect.event(dialect.textDeltaType(audio));
            delta.put("response_id", responseId).put("item_id", itemId).put("output_index", 0).put("content_index", 0)
                    .put("delta", content);
            outbox.send(delta);
        }
        if (audio) {
            ObjectNode audioDone = dialect.event(dialect.audioDoneType());
            audioDone.put("response_id", responseId).put("item_id", itemId).put("output_index", 0).put("content_index", 0);
            outbox.send(audioDone);
        }
        ObjectNode textDone = dialect.event(dialect.textDoneType(audio));
        textDone.put("response_id", responseId).put("item_id", itemId).put("output_index", 0).put("content_index", 0)
                .put(audio ? "transcript" : "text", content);
        outbox.send(textDone);
        ObjectNode partDone = dialect.event("response.content_part.done");
        partDone.put("response_id", responseId).put("item_id", itemId).put("output_index", 0).put("content_index", 0);
        partDone.set("part", part(modality, content));
        outbox.send(partDone);
        ObjectNode item = JSON.createObjectNode();
        item.put("id", itemId).put("object", "realtime.item").put("type", "message")
                .put("status", status.equals("completed") ? "completed" : "incomplete").put("role", "assistant");
        ObjectNode itemContent = item.putArray("content").addObject();
        if (audio) {
            itemContent.put("type", "output_audio").put("transcript", content);
        } else {
            itemContent.put("type", "output_text").put("text", content);
        }
        ObjectNode outputDone = dialect.event("response.output_item.done");
        outputDone.put("response_id", responseId).put("output_index", 0);
        outputDone.set("item", dialect.item(item));
        outbox.send(outputDone);
        if (dialect.announcesFinishedOutputItems()) {
            ObjectNode itemDone = dialect.event("conversation.item.done");
            ServerDialect.putNullable(itemDone, "previous_item_id", previousItemId);
            itemDone.set("item", item.deepCopy());
            outbox.send(itemDone);
        }
        ArrayNode output = JSON.createArrayNode();
        output.add(dialect.item(item));
        // the local server counts audio seconds and words: synthetic numbers, labelled as such in README
        long inputTokens = Math.max(1, conversation.lastTurnMs() / 100);
        long outputTokens = content.isEmpty() ? 0 : content.split(" ").length;
        ObjectNode usage = JSON.createObjectNode();
        usage.put("total_tokens", inputTokens + outputTokens).put("input_tokens", inputTokens).put("output_tokens", outputTokens);
        usage.putObject("input_token_details").put("text_tokens", 0).put("audio_tokens", inputTokens).put("cached_tokens", 0);
        usage.putObject("output_token_details").put("text_tokens", audio ? 0 : outputTokens).put("audio_tokens", audio ? outputTokens : 0);
        ObjectNode details = null;
        if (!status.equals("completed")) {
            details = JSON.createObjectNode().put("type", status).put("reason", reason);
        }
        ObjectNode done = dialect.event("response.done");
        done.set("response", responseObject(responseId, status, modality, output, usage, metadata, details));
        outbox.send(done);
        activeResponseId = null;
        activeTask = null;
        heldUntilDone.forEach(outbox::send);
        heldUntilDone.clear();
    }

    private ObjectNode responseObject(String id, String status, Modality modality, ArrayNode output, ObjectNode usage,
                                      JsonNode metadata, ObjectNode statusDetails) {
        ObjectNode response = JSON.createObjectNode();
        response.put("object", "realtime.response").put("id", id).put("status", status);
        response.set("status_details", statusDetails);
        response.set("output", output);
        dialect.putResponseModalities(response, modality, sessionId);
        response.set("usage", usage);
        response.set("metadata", metadata == null || metadata.isMissingNode() ? null : metadata);
        return response;
    }

    private static ObjectNode part(Modality modality, String text) {
        ObjectNode part = JSON.createObjectNode();
        if (modality == Modality.AUDIO) {
            part.put("type", "audio").put("transcript", text);
        } else {
            part.put("type", "text").put("text", text);
        }
        return part;
    }

    static Optional<String> optionalText(JsonNode node, String field) {
        return node.path(field).isTextual() ? Optional.of(node.get(field).asText()) : Optional.empty();
    }
}
