package dev.streamscribe.topology;

import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.driver.TurnSpec;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Turns a complete session's chunk index into its turns (start and end in milliseconds of session audio), or
 * says why the audio cannot be sent. Judged by seq, never by arrival order. Pure: no store, no clock.
 */
public final class TurnPlanner {
    private TurnPlanner() {
    }

    /** The plan, or the reason the session fails before any provider call. */
    public sealed interface Plan {
        /**
         * @param turns   the turns, in order
         * @param audioMs their audio
         * @param ended   the last turn ends the session ({@code endOfSession}); false for the complete turns of a
         *                session still arriving ({@link #prefix})
         * @param lastSeq the seq of the last turn's last chunk (-1 when there is no turn); chunks after it (a turn
         *                still open, an empty chunk that only ends the session) belong to no planned turn
         */
        record Turns(List<TurnSpec> turns, long audioMs, boolean ended, long lastSeq) implements Plan {
            public Turns {
                turns = List.copyOf(turns);
            }

        }

        record Rejected(String reason, String message) implements Plan {
        }
    }

    /** @param chunks every chunk of the session, seq 0..end in order */
    public static Plan plan(SessionConfig config, List<ChunkRef> chunks) {
        return plan(config, chunks.iterator());
    }

    /** @param chunks every chunk of the session, seq 0..end in order, read once (the chunk index as a stream) */
    public static Plan plan(SessionConfig config, Iterator<ChunkRef> chunks) {
        return plan(config, chunks, false);
    }

    /**
     * The complete turns at the start of a session whose audio is still arriving (start AT_FIRST_TURN): the turns
     * whose every chunk, from seq 0 on without a gap, is indexed and whose last chunk carries {@code endOfTurn}. A turn
     * still open, or anything after a missing seq, waits. NO_AUDIO is judged only once the session has ended.
     *
     * @param chunks the session's chunks in seq order, read once
     */
    public static Plan prefix(SessionConfig config, Iterator<ChunkRef> chunks) {
        return plan(config, chunks, true);
    }

    private static Plan plan(SessionConfig config, Iterator<ChunkRef> chunks, boolean prefixOnly) {
        Optional<AudioEncoding> encoding = AudioEncoding.of(config.getAudioFormat());
        if (encoding.isEmpty()) {
            return new Plan.Rejected("CONFIG_INVALID", "audio format " + config.getAudioFormat() + " is not one this "
                    + "version knows");
        }
        int bytesPerMs = encoding.get().bytesPerMillisecond();
        int sampleBytes = encoding.get().bytesPerSample();
        List<TurnSpec> turns = new ArrayList<>();
        long turnBytes = 0;
        long sessionBytes = 0;
        int expectedTurn = 0;
        boolean turnOpen = false;
        boolean ended = false;
        long lastSeq = -1;
        for (long i = 0; chunks.hasNext() && !ended; i++) {
            ChunkRef chunk = chunks.next();
            if (chunk.seq() != i) {
                if (prefixOnly) {
                    break; // a missing seq: what follows waits for it
                }
                throw new IllegalArgumentException("plan needs seq 0..n in order; position " + i + " has seq " + chunk.seq());
            }
            if (chunk.length() % sampleBytes != 0) {
                return new Plan.Rejected("AUDIO_NOT_SAMPLE_ALIGNED", "chunk seq " + chunk.seq() + " has " + chunk.length()
                        + " bytes, not a whole number of " + sampleBytes + "-byte samples of " + config.getAudioFormat());
            }
            if (chunk.turnIndex() != expectedTurn) {
                return new Plan.Rejected("TURN_SEQUENCE_INVALID", "chunk seq " + chunk.seq() + " belongs to turn "
                        + chunk.turnIndex() + ", but turn " + expectedTurn + " is "
                        + (turnOpen ? "still open (no end_of_turn before it)" : "next"));
            }
            turnOpen = true;
            turnBytes += chunk.length();
            if (chunk.endOfTurn() || chunk.endOfSession()) {
                ended = chunk.endOfSession();
                if (ended && turnBytes == 0 && !turns.isEmpty()) {
                    // an empty chunk opening a turn only to carry end_of_session ends the session after the last
                    // turn (a live producer that ended its last turn before it knew the session was over); it is no
                    // turn, and its chunk is given to no connection (lastSeq stays the last turn's)
                    break;
                }
                lastSeq = chunk.seq();
                long start = sessionBytes / bytesPerMs;
                sessionBytes += turnBytes;
                long end = sessionBytes / bytesPerMs;
                turns.add(new TurnSpec(expectedTurn, start, end, SessionRequest.respondsTo(config, expectedTurn)));
                turnBytes = 0;
                turnOpen = false;
                expectedTurn++;
            }
        }
        if ((ended || !prefixOnly) && turns.stream().noneMatch(TurnSpec::sendable)) {
            return new Plan.Rejected("NO_AUDIO", "the session has " + sessionBytes + " bytes of audio in " + turns.size()
                    + " turns, none of them the providers' minimum of " + TurnSpec.MIN_TURN_MS + " ms");
        }
        return new Plan.Turns(turns, sessionBytes / bytesPerMs, ended || !prefixOnly, lastSeq);
    }
}
