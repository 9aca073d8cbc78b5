package dev.streamscribe.testing;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.realtime.driver.AudioPiece;
import dev.streamscribe.realtime.driver.SessionRequest;
import dev.streamscribe.realtime.driver.TurnSpec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic pcm16 audio and session plans for driver and server tests. */
public final class TestAudio {
    private TestAudio() {
    }

    /** Deterministic pcm16 bytes for a turn: 48 bytes per millisecond (24 kHz mono). */
    public static byte[] turnAudio(int turn, long millis) {
        return turnAudio(0, turn, millis);
    }

    /** As {@link #turnAudio(int, long)}, different for each {@code recording}: audio no other recording has. */
    public static byte[] turnAudio(long recording, int turn, long millis) {
        byte[] audio = new byte[(int) (millis * 48)];
        new Random(1000L + turn + recording * 1_000_003L).nextBytes(audio);
        return audio;
    }

    /** The pieces of every turn, each turn split into chunks of at most {@code chunkBytes}. */
    public static List<AudioPiece> pieces(int chunkBytes, long... turnMillis) {
        List<AudioPiece> pieces = new ArrayList<>();
        for (int turn = 0; turn < turnMillis.length; turn++) {
            byte[] audio = turnAudio(turn, turnMillis[turn]);
            for (int offset = 0; offset < audio.length; offset += chunkBytes) {
                int length = Math.min(chunkBytes, audio.length - offset);
                pieces.add(new AudioPiece(turn, ByteBuffer.wrap(audio, offset, length).slice(),
                        offset + length >= audio.length));
            }
        }
        return pieces;
    }

    /** A session plan with consecutive turns of the given lengths. */
    public static SessionRequest request(SessionConfig config, long... turnMillis) {
        List<TurnSpec> turns = new ArrayList<>();
        long start = 0;
        for (int i = 0; i < turnMillis.length; i++) {
            turns.add(new TurnSpec(i, start, start + turnMillis[i], SessionRequest.respondsTo(config, i)));
            start += turnMillis[i];
        }
        return new SessionRequest(config.getSessionId(), config.getRunToken(), 1, config, turns);
    }
}
