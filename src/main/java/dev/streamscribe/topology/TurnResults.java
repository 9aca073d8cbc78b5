package dev.streamscribe.topology;

import dev.streamscribe.avro.TurnStatus;
import dev.streamscribe.avro.Usage;
import dev.streamscribe.avro.UsageKind;
import dev.streamscribe.cost.ChargeSum;
import dev.streamscribe.realtime.driver.TurnSpec;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code turn-results} store: which turns of a run already have their TranscriptionEvent (and ResponseEvent, when
 * they asked for one): turn checkpoints, with what the run's SessionResult sums over them (status, usage) and what a
 * resumed conversation restores (the transcript, the response's text). Keyed (session, run, turn) so that one
 * session's entries are one range and one run's a sub-range; a set, not a high-water mark, since turns may finish out
 * of order. Turn -1 (after every turn in key order, outside {@link #ofRun}) holds the run's {@link Progress}.
 * Values carry a version byte and enums by name (docs/operations.md section 5):
 * <ul>
 *   <li>3 (written now): as 2, then the turn's cost (its TranscriptionEvent's and ResponseEvent's, summed: amount,
 *       whether estimated, how many of the two had no known cost).</li>
 *   <li>2: status, usage, whether the ResponseEvent was written, transcript and response text (each only kept for
 *       sessions with responses: nothing else restores context); read with the cost of its events unknown (they were
 *       written without one). Bytes in {@code src/test/resources/fixtures/turn-results-v2/}.</li>
 *   <li>1: status and usage; read as "no ResponseEvent written" (version 1's builds wrote responses only with the
 *       session's outcome), with no texts and an unknown cost. Bytes in
 *       {@code src/test/resources/fixtures/turn-results-v1/}.</li>
 * </ul>
 *
 * <p>Threading: a view of one task's store; the stream thread only.
 */
final class TurnResults {
    private static final byte VERSION = 3;
    /** 2: adds the last timeout; 1 (bytes in fixtures/turn-results-v1/): highest turn streamed and audio resent. */
    private static final byte PROGRESS_VERSION = 2;
    private static final int PROGRESS_TURN = -1;

    /**
     * What a checkpointed turn contributes to its run's SessionResult, and to a resumed conversation.
     *
     * @param responded     its ResponseEvent was written (a turn that asks for a response is finished only then)
     * @param userText      the transcript a resumed conversation restores (sessions with responses only)
     * @param assistantText the response's text a resumed conversation restores (sessions with responses only)
     * @param cost          what its TranscriptionEvent and ResponseEvent cost, summed
     */
    record Recorded(TurnStatus status, Optional<Usage> usage, boolean responded, Optional<String> userText,
                    Optional<String> assistantText, ChargeSum cost) {
        /** A turn without a response or texts to keep (a transcription-only session's). */
        Recorded(TurnStatus status, Optional<Usage> usage, ChargeSum cost) {
            this(status, usage, false, Optional.empty(), Optional.empty(), cost);
        }
    }

    /** A turn is finished once its TranscriptionEvent is written, and its ResponseEvent when it asked for a response. */
    static boolean finished(TurnSpec turn, Map<Integer, Recorded> recorded) {
        Recorded entry = recorded.get(turn.turnIndex());
        return entry != null && (!turn.respond() || entry.responded());
    }

    /** Whether any of {@code turns} is not {@link #finished} yet. */
    static boolean anyUnfinished(List<TurnSpec> turns, Map<Integer, Recorded> recorded) {
        return turns.stream().anyMatch(turn -> !finished(turn, recorded));
    }

    /**
     * How far the provider has been given a run's audio, over all its connections.
     *
     * @param maxStreamedTurn the highest turn whose audio went to the provider, -1 before any: every turn up to it
     *                        without a result was given to an earlier connection (each sends its turns in order)
     * @param audioResentMs   milliseconds of the run's audio the provider was given more than once
     * @param turnsAtTimeout  how many turns of the run had their result when {@code lastTimeout} happened: a second
     *                        timeout with as many is one with no turn finished in between
     * @param lastTimeout     the reason of the run's last attempt when it timed out (SESSION_TIMEOUT, ...) and no
     *                        turn finished since; "" otherwise: a second timeout the same way is permanent
     */
    record Progress(int maxStreamedTurn, long audioResentMs, String lastTimeout, int turnsAtTimeout) {
        static final Progress NONE = new Progress(-1, 0, "", 0);

        Progress withLastTimeout(String reason, int turnsWithResult) {
            return new Progress(maxStreamedTurn, audioResentMs, reason, turnsWithResult);
        }
    }

    private final KeyValueStore<Bytes, byte[]> store;

    TurnResults(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    boolean has(String sessionId, String runToken, int turnIndex) {
        return store.get(key(sessionId, runToken, turnIndex)) != null;
    }

    Optional<Recorded> get(String sessionId, String runToken, int turnIndex) {
        return Optional.ofNullable(store.get(key(sessionId, runToken, turnIndex))).map(TurnResults::decode);
    }

    Progress progress(String sessionId, String runToken) {
        byte[] value = store.get(key(sessionId, runToken, PROGRESS_TURN));
        return value == null ? Progress.NONE : decodeProgress(value);
    }

    void putProgress(String sessionId, String runToken, Progress progress) {
        store.put(key(sessionId, runToken, PROGRESS_TURN), encodeProgress(progress));
    }

    static byte[] encodeProgress(Progress progress) {
        byte[] timeout = progress.lastTimeout().getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(1 + 4 + 8 + 1 + timeout.length + 4).put(PROGRESS_VERSION)
                .putInt(progress.maxStreamedTurn()).putLong(progress.audioResentMs()).put((byte) timeout.length)
                .put(timeout).putInt(progress.turnsAtTimeout()).array();
    }

    static Progress decodeProgress(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        byte version = buffer.get();
        if (version < 1 || version > PROGRESS_VERSION) {
            throw new IllegalStateException("turn-results progress entry of version " + version + "; this build reads 1 "
                    + "to " + PROGRESS_VERSION + " (written by a newer streamscribe?)");
        }
        int maxStreamed = buffer.getInt();
        long resent = buffer.getLong();
        if (version == 1) {
            return new Progress(maxStreamed, resent, "", 0);
        }
        return new Progress(maxStreamed, resent, name(buffer), buffer.getInt());
    }

    void put(String sessionId, String runToken, int turnIndex, Recorded recorded) {
        store.put(key(sessionId, runToken, turnIndex), encode(recorded));
    }

    /** The run's checkpointed turns, by turn index. */
    Map<Integer, Recorded> ofRun(String sessionId, String runToken) {
        Map<Integer, Recorded> turns = new HashMap<>();
        try (KeyValueIterator<Bytes, byte[]> range = store.range(key(sessionId, runToken, 0),
                key(sessionId, runToken, Integer.MAX_VALUE))) {
            range.forEachRemaining(entry -> {
                byte[] key = entry.key.get();
                turns.put(ByteBuffer.wrap(key, key.length - 4, 4).getInt(), decode(entry.value));
            });
        }
        return turns;
    }

    /** Deletes every run's entries of the session (with the session's state, at its purge). */
    void deleteSession(String sessionId) {
        byte[] id = sessionId.getBytes(StandardCharsets.UTF_8);
        Bytes from = Bytes.wrap(ByteBuffer.allocate(2 + id.length).putShort((short) id.length).put(id).array());
        Bytes to = Bytes.wrap(ByteBuffer.allocate(2 + id.length + 1).putShort((short) id.length).put(id).put((byte) 0xFF)
                .array());
        try (KeyValueIterator<Bytes, byte[]> range = store.range(from, to)) {
            range.forEachRemaining(entry -> store.delete(entry.key));
        }
    }

    static Bytes key(String sessionId, String runToken, int turnIndex) {
        byte[] id = sessionId.getBytes(StandardCharsets.UTF_8);
        byte[] run = runToken.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(2 + id.length + 2 + run.length + 4).putShort((short) id.length).put(id)
                .putShort((short) run.length).put(run).putInt(turnIndex).array());
    }

    static byte[] encode(Recorded recorded) {
        byte[] status = recorded.status().name().getBytes(StandardCharsets.US_ASCII);
        byte[] user = recorded.userText().map(text -> text.getBytes(StandardCharsets.UTF_8)).orElse(null);
        byte[] assistant = recorded.assistantText().map(text -> text.getBytes(StandardCharsets.UTF_8)).orElse(null);
        ByteBuffer buffer = ByteBuffer.allocate(1 + 1 + status.length + 1 + 16 + 8 * 8 + 8 + 1 + 8
                + (user == null ? 0 : user.length) + (assistant == null ? 0 : assistant.length) + 8 + 1 + 4);
        buffer.put(VERSION).put((byte) status.length).put(status);
        if (recorded.usage().isEmpty()) {
            buffer.put((byte) 0);
        } else {
            Usage usage = recorded.usage().get();
            byte[] kind = usage.getKind().name().getBytes(StandardCharsets.US_ASCII);
            buffer.put((byte) 1).put((byte) kind.length).put(kind).putLong(usage.getInputTokens())
                    .putLong(usage.getOutputTokens()).putLong(usage.getTotalTokens()).putLong(usage.getInputTextTokens())
                    .putLong(usage.getInputAudioTokens()).putLong(usage.getInputCachedTokens())
                    .putLong(usage.getOutputTextTokens()).putLong(usage.getOutputAudioTokens())
                    .putDouble(usage.getDurationSeconds());
        }
        buffer.put((byte) (recorded.responded() ? 1 : 0));
        putText(buffer, user);
        putText(buffer, assistant);
        buffer.putDouble(recorded.cost().amount()).put((byte) (recorded.cost().estimated() ? 1 : 0))
                .putInt(recorded.cost().unpriced());
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    private static void putText(ByteBuffer buffer, byte[] text) {
        buffer.putInt(text == null ? -1 : text.length);
        if (text != null) {
            buffer.put(text);
        }
    }

    private static Optional<String> text(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length < 0) {
            return Optional.empty();
        }
        byte[] text = new byte[length];
        buffer.get(text);
        return Optional.of(new String(text, StandardCharsets.UTF_8));
    }

    static Recorded decode(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        byte version = buffer.get();
        if (version < 1 || version > VERSION) {
            throw new IllegalStateException("turn-results entry of version " + version + "; this build reads 1 to "
                    + VERSION + " (written by a newer streamscribe?)");
        }
        TurnStatus status = TurnStatus.valueOf(name(buffer));
        Optional<Usage> usage = Optional.empty();
        if (buffer.get() != 0) {
            UsageKind kind = UsageKind.valueOf(name(buffer));
            usage = Optional.of(Usage.newBuilder().setKind(kind).setInputTokens(buffer.getLong())
                    .setOutputTokens(buffer.getLong()).setTotalTokens(buffer.getLong()).setInputTextTokens(buffer.getLong())
                    .setInputAudioTokens(buffer.getLong()).setInputCachedTokens(buffer.getLong())
                    .setOutputTextTokens(buffer.getLong()).setOutputAudioTokens(buffer.getLong())
                    .setDurationSeconds(buffer.getDouble()).build());
        }
        if (version == 1) {
            return new Recorded(status, usage, new ChargeSum(0, false, 1)); // its TranscriptionEvent has no cost
        }
        boolean responded = buffer.get() != 0;
        Optional<String> userText = text(buffer);
        Optional<String> assistantText = text(buffer);
        ChargeSum cost = version == 2 ? new ChargeSum(0, false, responded ? 2 : 1) // its events have no cost
                : new ChargeSum(buffer.getDouble(), buffer.get() != 0, buffer.getInt());
        return new Recorded(status, usage, responded, userText, assistantText, cost);
    }

    private static String name(ByteBuffer buffer) {
        byte[] name = new byte[buffer.get()];
        buffer.get(name);
        return new String(name, StandardCharsets.US_ASCII);
    }
}
