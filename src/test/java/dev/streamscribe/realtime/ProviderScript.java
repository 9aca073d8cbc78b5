package dev.streamscribe.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamscribe.realtime.ScriptedRealtimePeer.PeerConnection;
import dev.streamscribe.realtime.server.ServerErrors;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * A scripted provider that follows the protocol of one dialect, with switches for the orderings and faults the
 * driver must survive. Its transcript is derived from the audio it received for the turn ({@link #transcriptOf}),
 * so a test can prove that the right audio reached the right turn.
 */
public final class ProviderScript implements ScriptedRealtimePeer.Script {
    public enum Created { FIRST, AFTER_UPDATED, NEVER }

    private final Dialect dialect;
    // switches, set by tests before the session starts
    Created created;
    boolean transcriptionAfterResponseDone;
    int holdCompletionsUntilCommits;
    final Set<Integer> failTranscriptionOfCommit = new HashSet<>();
    final Set<Integer> rejectCommit = new HashSet<>();
    final Set<Integer> stallCommit = new HashSet<>();
    boolean stallTranscriptions;
    boolean stallResponses;
    JsonNode rejectSessionUpdateWith;
    JsonNode errorAfterFirstAppend;
    boolean dropAfterFirstAppend;
    boolean quotaExhausted;
    /** Failed transcriptions say the quota is exhausted instead of that the audio was unintelligible. */
    boolean transcriptionQuotaExhausted;
    /** Failed transcriptions come as an {@code error} naming the item in its message (OpenAI, Azure, Inworld). */
    boolean transcriptionFailureAsError;
    /** Answer {@code input_audio_buffer.clear} with an error instead of {@code cleared}. */
    boolean rejectClear;
    /** Answer {@code session.update} with {@code beta_api_shape_disabled} and close with 4000, as OpenAI does now. */
    boolean betaRetired;
    /** The effective session keeps server VAD on, whatever the update said. */
    boolean vadStaysOn;
    /** Send {@code input_audio_buffer.speech_started} after the first append, as VAD would. */
    boolean speechStartedAfterFirstAppend;
    String afterSessionUpdated;
    boolean rejectSecondActiveResponse = true;
    /** Send a rejected commit's error this late, as the live API does (about 1 s, after later events). */
    long commitErrorDelayMs;
    /** Refuse {@code conversation.item.create} from this ordinal on (1 = the first); 0: accept every one. */
    int refuseItemsFrom;
    /** The text of every conversation item accepted, in order, as "role: text". */
    final List<String> itemsCreated = new CopyOnWriteArrayList<>();
    private int itemCreates;

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private int commits;
    private int appends;
    private String previousItemId;
    private String activeResponse;
    private final List<ObjectNode> heldCompletions = new ArrayList<>();
    private final List<ObjectNode> afterResponseDone = new ArrayList<>();
    private int sequence;

    public ProviderScript(Dialect dialect) {
        this.dialect = dialect;
        this.created = dialect == Dialect.INWORLD ? Created.NEVER : Created.FIRST;
    }

    /** What this provider transcribes {@code audio} as: its length and CRC-32. */
    public static String transcriptOf(byte[] audio) {
        CRC32 crc = new CRC32();
        crc.update(audio);
        return "audio " + audio.length + " bytes crc " + Long.toHexString(crc.getValue());
    }

    private String id(String prefix) {
        return prefix + "_" + (++sequence);
    }

    private ObjectNode event(String type) {
        ObjectNode node = ScriptedRealtimePeer.JSON.createObjectNode();
        node.put("type", type);
        node.put("event_id", dialect == Dialect.INWORLD ? UUID.randomUUID().toString() : id("event"));
        return node;
    }

    private ObjectNode session() {
        ObjectNode session = ScriptedRealtimePeer.JSON.createObjectNode();
        session.put("id", "sess_" + Integer.toHexString(System.identityHashCode(this)));
        session.put("object", "realtime.session");
        session.put("expires_at", System.currentTimeMillis() / 1000 + 3600);
        return session;
    }

    @Override
    public void onOpen(PeerConnection connection) {
        if (created == Created.FIRST) {
            ObjectNode event = event("session.created");
            event.set("session", session());
            connection.send(event);
        }
    }

    @Override
    public void onEvent(PeerConnection connection, JsonNode event) {
        String type = event.path("type").asText();
        String eventId = event.path("event_id").asText(null);
        switch (type) {
            case "session.update" -> {
                if (betaRetired) {
                    connection.send(error(errorBody("invalid_request_error", "beta_api_shape_disabled",
                            "The beta Realtime API shape is no longer supported.", null), eventId));
                    connection.close(4000, "beta_api_shape_disabled");
                    return;
                }
                if (rejectSessionUpdateWith != null) {
                    connection.send(error(rejectSessionUpdateWith, eventId));
                    return;
                }
                ObjectNode updated = event("session.updated");
                ObjectNode session = session();
                session.setAll((ObjectNode) event.path("session"));
                if (vadStaysOn) {
                    ObjectNode vad = ScriptedRealtimePeer.JSON.createObjectNode().put("type", "server_vad").put("silence_duration_ms", 500);
                    if (dialect == Dialect.OPENAI_BETA) {
                        session.set("turn_detection", vad);
                    } else {
                        ((ObjectNode) session.path("audio").path("input")).set("turn_detection", vad);
                    }
                }
                updated.set("session", session);
                connection.send(updated);
                if (created == Created.AFTER_UPDATED) {
                    ObjectNode createdEvent = event("session.created");
                    createdEvent.set("session", session());
                    connection.send(createdEvent);
                }
                if (afterSessionUpdated != null) {
                    connection.send(afterSessionUpdated);
                }
            }
            case "input_audio_buffer.append" -> {
                buffer.writeBytes(Base64.getDecoder().decode(event.path("audio").asText()));
                appends++;
                if (appends == 1 && speechStartedAfterFirstAppend) {
                    connection.send(event("input_audio_buffer.speech_started").put("audio_start_ms", 0)
                            .put("item_id", "item_vad"));
                }
                if (appends == 1 && dropAfterFirstAppend) {
                    connection.drop();
                } else if (appends == 1 && errorAfterFirstAppend != null) {
                    connection.send(error(errorAfterFirstAppend, null));
                }
            }
            case "input_audio_buffer.clear" -> {
                buffer.reset();
                connection.send(rejectClear ? error(errorBody("invalid_request_error", "invalid_value",
                        "Nothing to clear.", null), eventId) : event("input_audio_buffer.cleared"));
            }
            case "input_audio_buffer.commit" -> onCommit(connection, eventId);
            case "response.create" -> onResponseCreate(connection, eventId);
            case "conversation.item.create" -> onItemCreate(connection, event, eventId);
            default -> connection.send(error(errorBody("invalid_request_error", "invalid_value",
                    "Invalid value: '" + type + "'.", "type"), eventId));
        }
    }

    /** Acknowledged as the dialect does: conversation.item.added then .done (GA, Inworld), conversation.item.created (beta). */
    private void onItemCreate(PeerConnection connection, JsonNode event, String eventId) {
        int ordinal = ++itemCreates;
        if (refuseItemsFrom > 0 && ordinal >= refuseItemsFrom) {
            connection.send(error(errorBody("invalid_request_error", "invalid_value",
                    "Invalid 'item.content': this provider does not take text context.", "item.content"), eventId));
            return;
        }
        ObjectNode item = ((ObjectNode) event.path("item")).deepCopy();
        String itemId = "item_ctx" + ordinal;
        item.put("id", itemId).put("object", "realtime.item").put("status", "completed");
        itemsCreated.add(item.path("role").asText() + ": " + item.path("content").path(0).path("text").asText());
        List<String> types = dialect == Dialect.OPENAI_BETA ? List.of("conversation.item.created")
                : List.of("conversation.item.added", "conversation.item.done");
        for (String type : types) {
            ObjectNode ack = event(type);
            if (previousItemId == null) {
                ack.putNull("previous_item_id");
            } else {
                ack.put("previous_item_id", previousItemId);
            }
            ack.set("item", item.deepCopy());
            connection.send(ack);
        }
        previousItemId = itemId;
    }

    /** Commits received on this connection. */
    int commits() {
        return commits;
    }

    private void onCommit(PeerConnection connection, String eventId) {
        int commit = ++commits;
        byte[] audio = buffer.toByteArray();
        buffer.reset();
        if (rejectCommit.contains(commit) || audio.length < 4_800) {
            ObjectNode error = error(errorBody("invalid_request_error", "input_audio_buffer_commit_empty",
                    String.format("Error committing input audio buffer: buffer too small. Expected at least 100ms of "
                            + "audio, but buffer only has %.2fms of audio.", audio.length / 48.0), null), eventId);
            if (commitErrorDelayMs > 0) {
                CompletableFuture.delayedExecutor(commitErrorDelayMs, TimeUnit.MILLISECONDS)
                        .execute(() -> connection.send(error));
            } else {
                connection.send(error);
            }
            return;
        }
        if (stallCommit.contains(commit)) {
            return;
        }
        String itemId = id("item");
        ObjectNode committed = event("input_audio_buffer.committed");
        if (previousItemId == null) {
            committed.putNull("previous_item_id");
        } else {
            committed.put("previous_item_id", previousItemId);
        }
        committed.put("item_id", itemId);
        connection.send(committed);
        previousItemId = itemId;
        ObjectNode item = ScriptedRealtimePeer.JSON.createObjectNode();
        item.put("id", itemId).put("type", "message").put("role", "user").put("status", "completed");
        item.putArray("content").addObject().put("type", "input_audio").putNull("transcript");
        if (dialect == Dialect.OPENAI_BETA) {
            ObjectNode createdItem = event("conversation.item.created");
            createdItem.set("item", item);
            connection.send(createdItem);
        } else {
            for (String kind : List.of("conversation.item.added", "conversation.item.done")) {
                ObjectNode added = event(kind);
                added.set("item", item);
                connection.send(added);
            }
        }
        if (stallTranscriptions) {
            return;
        }
        ObjectNode delta = event("conversation.item.input_audio_transcription.delta");
        delta.put("item_id", itemId).put("content_index", 0).put("delta", "audio");
        connection.send(delta);
        ObjectNode terminal;
        if (failTranscriptionOfCommit.contains(commit) && transcriptionFailureAsError) {
            terminal = error(errorBody("server_error", null, "Input transcription failed for item '" + itemId + "'.",
                    null), null);
        } else if (failTranscriptionOfCommit.contains(commit)) {
            terminal = event("conversation.item.input_audio_transcription.failed");
            terminal.put("item_id", itemId).put("content_index", 0);
            terminal.set("error", transcriptionQuotaExhausted ? errorBody("insufficient_quota", "insufficient_quota",
                    "You exceeded your current quota, please check your plan and billing details.", null)
                    : errorBody("transcription_error", "audio_unintelligible", "The audio could not be transcribed.", null));
        } else {
            terminal = event("conversation.item.input_audio_transcription.completed");
            terminal.put("item_id", itemId).put("content_index", 0).put("transcript", transcriptOf(audio));
            if (dialect != Dialect.OPENAI_BETA) {
                terminal.putObject("usage").put("type", "duration").put("seconds", Math.ceil(audio.length / 48_000.0));
            }
        }
        if (holdCompletionsUntilCommits > 0) {
            heldCompletions.add(terminal);
            if (commits >= holdCompletionsUntilCommits) {
                for (int i = heldCompletions.size() - 1; i >= 0; i--) {
                    connection.send(heldCompletions.get(i));
                }
                heldCompletions.clear();
            }
        } else if (transcriptionAfterResponseDone) {
            afterResponseDone.add(terminal);
        } else {
            connection.send(terminal);
        }
    }

    private void onResponseCreate(PeerConnection connection, String eventId) {
        if (activeResponse != null && rejectSecondActiveResponse) {
            connection.send(error(errorBody("invalid_request_error", "conversation_already_has_active_response",
                    "Conversation already has an active response in progress: " + activeResponse
                            + ". Wait until the response is finished before creating a new one", null), eventId));
            return;
        }
        String responseId = id("resp");
        activeResponse = responseId;
        ObjectNode limits = event("rate_limits.updated");
        limits.putArray("rate_limits").addObject().put("name", "tokens").put("limit", 10000).put("remaining", 9000)
                .put("reset_seconds", 1.5);
        connection.send(limits);
        ObjectNode created = event("response.created");
        created.putObject("response").put("id", responseId).put("object", "realtime.response").put("status", "in_progress");
        connection.send(created);
        if (stallResponses) {
            return;
        }
        String text = "answer to commit " + commits;
        ObjectNode delta = event(dialect == Dialect.OPENAI_BETA ? "response.text.delta" : "response.output_text.delta");
        delta.put("response_id", responseId).put("item_id", id("item")).put("output_index", 0).put("content_index", 0)
                .put("delta", text);
        connection.send(delta);
        ObjectNode done = event("response.done");
        ObjectNode response = done.putObject("response");
        response.put("id", responseId).put("object", "realtime.response");
        if (quotaExhausted) {
            response.put("status", "failed");
            response.putObject("status_details").put("type", "failed").set("error", errorBody("insufficient_quota",
                    "insufficient_quota", "You exceeded your current quota, please check your plan and billing details.", null));
        } else {
            response.put("status", "completed");
            response.putNull("status_details");
        }
        ObjectNode usage = response.putObject("usage");
        usage.put("total_tokens", 30).put("input_tokens", 20).put("output_tokens", 10);
        usage.putObject("input_token_details").put("text_tokens", 5).put("audio_tokens", 15).put("cached_tokens", 0);
        usage.putObject("output_token_details").put("text_tokens", 10).put("audio_tokens", 0);
        activeResponse = null;
        connection.send(done);
        afterResponseDone.forEach(connection::send);
        afterResponseDone.clear();
    }

    static ObjectNode errorBody(String type, String code, String message, String param) {
        return ServerErrors.error(type, code, message, param);
    }

    private ObjectNode error(JsonNode body, String correlatedEventId) {
        ObjectNode event = event("error");
        ObjectNode error = ((ObjectNode) body).deepCopy();
        if (correlatedEventId == null) {
            error.putNull("event_id");
        } else {
            error.put("event_id", correlatedEventId);
        }
        event.set("error", error);
        return event;
    }
}
