package dev.streamscribe.realtime.server;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One session's input audio buffer: what was appended since the last commit or clear, kept as the decoded appends
 * themselves and put together once, when committed. A growing byte stream copied the audio at every doubling and
 * once more on commit: a tenth of the local server's CPU samples in the bench's throughput phase.
 *
 * <p>Threading: used only on its session's serial executor.
 */
final class InputAudioBuffer {
    private final List<ByteBuffer> appends = new ArrayList<>();
    private long size;

    long size() {
        return size;
    }

    /** Keeps {@code audio} (its remaining bytes; the buffer is the caller's no more). */
    void append(ByteBuffer audio) {
        appends.add(audio);
        size += audio.remaining();
    }

    /** Everything appended, in order, in one array; the buffer is empty afterwards. */
    byte[] take() {
        byte[] audio = new byte[Math.toIntExact(size)];
        int at = 0;
        for (ByteBuffer append : appends) {
            int length = append.remaining();
            append.get(append.position(), audio, at, length);
            at += length;
        }
        clear();
        return audio;
    }

    void clear() {
        appends.clear();
        size = 0;
    }
}
