package dev.streamscribe.ingest;

import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.audio.AudioFileDecoder.RawFormat;
import dev.streamscribe.audio.PcmConverter;

import java.util.function.Consumer;

/**
 * Turns audio arriving in pieces, in any PCM layout, into a session's chunks as the producer contract lays them out
 * (docs/producer-contract.md): converted to mono pcm16 at the encoding's rate ({@link PcmConverter}), cut into turns
 * by a {@link TurnPolicy} and wherever the caller ends one, encoded ({@link AudioEncoding#encode}) and laid out as
 * sequenced chunks ({@link ChunkSequencer}). The same path serves files ({@code ingest}) and live streams (the
 * producer API), so both make the same chunks from the same audio.
 *
 * <p>Threading: not thread-safe; one instance per session.
 */
public final class AudioChunker {
    private final AudioEncoding encoding;
    private final ChunkSequencer sequencer;
    private final TurnSplitter splitter;
    private PcmConverter converter;
    private long encodedBytes;
    private boolean appended;

    /**
     * @param encoding   what the session is sent as
     * @param turns      how turns are cut besides {@link #endTurn()}; {@link TurnPolicy#wholeFile()} cuts nowhere
     * @param chunkBytes largest chunk, at most {@link AudioEncoding#MAX_CHUNK_BYTES}
     * @param sink       receives each chunk once it is known whether it ends a turn or the session
     */
    public AudioChunker(AudioEncoding encoding, TurnPolicy turns, int chunkBytes, Consumer<ChunkSequencer.Chunk> sink) {
        this(encoding, turns, chunkBytes, sink, false);
    }

    /**
     * @param live a turn's last chunk goes out as soon as the turn ends (sessions that start AT_FIRST_TURN), instead
     *             of with the next audio
     */
    public AudioChunker(AudioEncoding encoding, TurnPolicy turns, int chunkBytes, Consumer<ChunkSequencer.Chunk> sink,
                        boolean live) {
        if (chunkBytes < encoding.bytesPerSample() || chunkBytes > AudioEncoding.MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("chunk size must be between " + encoding.bytesPerSample() + " and "
                    + AudioEncoding.MAX_CHUNK_BYTES + " bytes, not " + chunkBytes);
        }
        this.encoding = encoding;
        this.sequencer = new ChunkSequencer(chunkBytes, encoding.bytesPerSample(), sink, live);
        this.splitter = new TurnSplitter(encoding.sampleRate(), turns, new TurnSplitter.Output() {
            @Override
            public void audio(byte[] pcm16) {
                byte[] encoded = encoding.encode(pcm16);
                encodedBytes += encoded.length;
                sequencer.append(encoded);
            }

            @Override
            public void endTurn() {
                sequencer.endTurn();
            }
        });
    }

    /**
     * Appends whole frames of {@code layout}; a layout that differs from the previous append's starts a new converter
     * (the old one's tail is handed on first).
     *
     * @throws IllegalArgumentException {@code length} is not a whole number of the layout's frames
     */
    public void append(byte[] audio, int offset, int length, RawFormat layout) {
        if (converter == null || !converter.format().equals(layout)) {
            flushConverter();
            converter = new PcmConverter(layout, encoding.sampleRate());
        }
        splitter.accept(converter.convert(audio, offset, length));
        appended |= length > 0;
    }

    /** Whether any audio was appended (some may still be held by the converter or the turn splitter). */
    public boolean hasAudio() {
        return appended;
    }

    /** Ends the current turn here (nothing happens if it has no audio yet). */
    public void endTurn() {
        flushConverter();
        splitter.endTurn();
    }

    /**
     * Ends the session: the last chunk carries {@code endOfSession}.
     *
     * @return the number of chunks; 0 when no audio was appended (nothing is emitted then)
     */
    public long finish() {
        flushConverter();
        splitter.finish();
        return sequencer.finish();
    }

    /** Turns laid out so far, counting the one in progress if it has audio. */
    public int turns() {
        return sequencer.turns();
    }

    /** Encoded audio bytes laid out so far (chunks still held back included; audio the splitter holds not yet). */
    public long audioBytes() {
        return encodedBytes;
    }

    /** Milliseconds of audio laid out so far. */
    public long audioMs() {
        return encoding.millisOf(encodedBytes);
    }

    private void flushConverter() {
        if (converter != null) {
            byte[] tail = converter.flush();
            if (tail.length > 0) {
                splitter.accept(tail);
            }
        }
    }
}
