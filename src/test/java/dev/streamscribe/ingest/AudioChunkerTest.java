package dev.streamscribe.ingest;

import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.audio.AudioFileDecoder.RawFormat;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Audio in any layout, in pieces, becomes the contract's chunks; turns end where the caller or the policy says. */
class AudioChunkerTest {
    private static final RawFormat OWN = RawFormat.pcm16Mono24k();
    private static final RawFormat STEREO_48K = new RawFormat(48_000, 2, 16, false, false);
    private final List<ChunkSequencer.Chunk> chunks = new ArrayList<>();

    private static byte[] tone(int rate, int channels, long millis) {
        int frames = (int) (rate * millis / 1000);
        ByteBuffer out = ByteBuffer.allocate(frames * channels * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < frames; i++) {
            short value = (short) (8000 * Math.sin(2 * Math.PI * 440 * i / rate));
            for (int c = 0; c < channels; c++) {
                out.putShort(value);
            }
        }
        return out.array();
    }

    private String layout() {
        return ChunkSequencerTest.layout(chunks);
    }

    @Test
    void endsTurnsWhereTheCallerSaysWithEachTurnsResampledAudioInIt() {
        AudioChunker chunker = new AudioChunker(AudioEncoding.PCM16, TurnPolicy.wholeFile(), 64 * 1024, chunks::add);
        byte[] second = tone(48_000, 2, 1_000);
        chunker.append(second, 0, second.length, STEREO_48K);
        chunker.endTurn();
        chunker.append(second, 0, second.length / 2, STEREO_48K);
        assertEquals(2, chunker.finish());
        // 1 s at 24 kHz mono pcm16 is 48,000 bytes: the resampler's tail stays in the turn it belongs to
        assertEquals("0:0:48000T 1:1:24000TS", layout());
        assertEquals(72_000, chunker.audioBytes());
        assertEquals(1_500, chunker.audioMs());
    }

    @Test
    void makesTheSameChunksAsIngestFromTheSameSamplesWhateverThePieces() {
        TurnPolicy policy = new TurnPolicy(Duration.ofSeconds(2), Duration.ZERO, -40, Duration.ZERO);
        byte[] audio = tone(24_000, 1, 5_000);
        List<ChunkSequencer.Chunk> direct = new ArrayList<>();
        ChunkSequencer sequencer = new ChunkSequencer(16_384, 2, direct::add);
        TurnSplitter splitter = new TurnSplitter(24_000, policy, new TurnSplitter.Output() {
            @Override
            public void audio(byte[] pcm16) {
                sequencer.append(pcm16);
            }

            @Override
            public void endTurn() {
                sequencer.endTurn();
            }
        });
        splitter.accept(audio);
        splitter.finish();
        sequencer.finish();

        AudioChunker chunker = new AudioChunker(AudioEncoding.PCM16, policy, 16_384, chunks::add);
        for (int offset = 0; offset < audio.length; offset += 4_802) {
            chunker.append(audio, offset, Math.min(4_802, audio.length - offset), OWN);
        }
        chunker.finish();
        assertEquals(direct.size(), chunks.size());
        for (int i = 0; i < direct.size(); i++) {
            ChunkSequencer.Chunk a = direct.get(i);
            ChunkSequencer.Chunk b = chunks.get(i);
            assertEquals(List.of(a.seq(), a.turnIndex(), a.endOfTurn(), a.endOfSession()),
                    List.of(b.seq(), b.turnIndex(), b.endOfTurn(), b.endOfSession()), "chunk " + i);
            assertArrayEquals(a.audio(), b.audio(), "chunk " + i);
        }
        assertEquals(3, chunker.turns(), "5 s in turns of at most 2 s");
    }

    @Test
    void encodesG711AtEightKilohertzFromAnyLayout() {
        AudioChunker chunker = new AudioChunker(AudioEncoding.G711_ULAW, TurnPolicy.wholeFile(), 1_024, chunks::add);
        byte[] second = tone(48_000, 2, 1_000);
        chunker.append(second, 0, second.length, STEREO_48K);
        chunker.finish();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        chunks.forEach(c -> all.writeBytes(c.audio()));
        assertEquals(8_000, all.size(), "one byte per sample at 8 kHz");
        assertEquals(8, chunks.size());
    }

    @Test
    void aChangeOfLayoutMidTurnKeepsEveryPieceOfAudio() {
        AudioChunker chunker = new AudioChunker(AudioEncoding.PCM16, TurnPolicy.wholeFile(), 256 * 1024, chunks::add);
        byte[] own = tone(24_000, 1, 500);
        byte[] stereo = tone(48_000, 2, 500);
        chunker.append(own, 0, own.length, OWN);
        chunker.append(stereo, 0, stereo.length, STEREO_48K);
        chunker.finish();
        assertEquals("0:0:48000TS", layout(), "0.5 s + 0.5 s at 24 kHz");
    }

    @Test
    void refusesAChunkSizeOutsideTheContract() {
        assertThrows(IllegalArgumentException.class,
                () -> new AudioChunker(AudioEncoding.PCM16, TurnPolicy.wholeFile(), 300 * 1024, chunks::add));
    }
}
