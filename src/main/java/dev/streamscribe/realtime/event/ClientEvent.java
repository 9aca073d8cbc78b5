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

    /** Asks for a response to the turn just committed. */
    record CreateResponse(ResponseRequest request, int turnIndex) implements ClientEvent {
    }
}
