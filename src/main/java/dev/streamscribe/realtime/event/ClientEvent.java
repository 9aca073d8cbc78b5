package dev.streamscribe.realtime.event;

import dev.streamscribe.avro.ResponseRequest;

import java.nio.ByteBuffer;

/** What we send, in dialect-neutral form; each dialect's codec writes the wire JSON. */
public sealed interface ClientEvent {
    /** The full session configuration, sent once per connection right after it opens. */
    record SessionUpdate(SessionSettings settings) implements ClientEvent {
    }

    /** One chunk of audio (at most 256 KiB, sample-aligned). The buffer is read, never modified. */
    record AppendAudio(ByteBuffer audio) implements ClientEvent {
    }

    record CommitAudio() implements ClientEvent {
    }

    /** Discards audio appended since the last commit (used when a turn turns out too short to commit). */
    record ClearAudio() implements ClientEvent {
    }

    /**
     * Adds a finished earlier turn's text to a resumed connection's conversation (docs/protocol.md section 2.3): a user
     * message with {@code input_text} content, or an assistant message with {@code output_text} (beta: {@code text}).
     * Never with an item id or {@code previous_item_id}: ids of an earlier connection mean nothing to this one, and
     * items are appended in the order sent.
     */
    record CreateItem(Role role, String text) implements ClientEvent {
        public enum Role { USER, ASSISTANT }
    }

    /** Asks for a response to the turn just committed. */
    record CreateResponse(ResponseRequest request, int turnIndex) implements ClientEvent {
    }
}
