package dev.streamscribe.audio;

import dev.streamscribe.audio.AudioFileDecoder.RawFormat;
import dev.streamscribe.testing.TestWavs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Audio appended in pieces, in any PCM layout, comes out as the file path would make it. */
class PcmConverterTest {
    private static final int TARGET = 24_000;

    static List<RawFormat> layouts() {
        return List.of(new RawFormat(48_000, 2, 16, false, false), new RawFormat(16_000, 1, 16, false, true),
                new RawFormat(44_100, 2, 24, false, false), new RawFormat(22_050, 1, 24, false, true),
                new RawFormat(8_000, 1, 8, false, false), new RawFormat(32_000, 3, 32, false, false),
                new RawFormat(48_000, 2, 32, true, false), new RawFormat(24_000, 1, 32, true, true),
                new RawFormat(24_000, 2, 16, false, false));
    }

    /** {@code seconds} of a 440 Hz tone at half scale in {@code format}, the same in every channel. */
    static byte[] tone(RawFormat format, double seconds) {
        int frames = (int) Math.round(format.sampleRate() * seconds);
        int bytes = format.bitsPerSample() / 8;
        ByteBuffer out = ByteBuffer.allocate(frames * format.channels() * bytes)
                .order(format.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < frames; i++) {
            double value = 0.5 * Math.sin(2 * Math.PI * 440 * i / format.sampleRate());
            for (int c = 0; c < format.channels(); c++) {
                if (format.floating()) {
                    out.putFloat((float) value);
                } else if (bytes == 1) {
                    out.put((byte) (Math.round(value * 127) + 128));
                } else if (bytes == 2) {
                    out.putShort((short) Math.round(value * 32767));
                } else if (bytes == 3) {
                    int scaled = (int) Math.round(value * 8_388_607);
                    byte[] three = {(byte) (scaled >> 16), (byte) (scaled >> 8), (byte) scaled};
                    if (format.bigEndian()) {
                        out.put(three);
                    } else {
                        out.put(three[2]).put(three[1]).put(three[0]);
                    }
                } else {
                    out.putInt((int) Math.round(value * 2_147_483_647.0));
                }
            }
        }
        return out.array();
    }

    /** Feeds {@code audio} in pieces of about 10 ms and 37 ms in turn, as a live source would. */
    static byte[] convertInPieces(RawFormat format, byte[] audio) {
        PcmConverter converter = new PcmConverter(format, TARGET);
        int frame = converter.frameBytes();
        int[] pieces = {format.sampleRate() / 100 * frame, format.sampleRate() * 37 / 1000 * frame};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int offset = 0;
        for (int i = 0; offset < audio.length; i++) {
            int length = Math.min(pieces[i % 2], audio.length - offset);
            out.writeBytes(converter.convert(audio, offset, length));
            offset += length;
        }
        out.writeBytes(converter.flush());
        return out.toByteArray();
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void convertsEveryLayoutInPiecesAsTheFileDecoderDoesInOne(RawFormat format, @TempDir Path dir) throws IOException {
        byte[] audio = tone(format, 1.0);
        byte[] streamed = convertInPieces(format, audio);
        Path file = Files.write(dir.resolve("tone.pcm"), audio);
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        AudioFileDecoder.raw(file, format, TARGET, decoded::writeBytes);
        double[] a = TestWavs.samples(streamed);
        double[] b = TestWavs.samples(decoded.toByteArray());
        // the resampler's position is a double moved by each block's length: other block boundaries can put the very
        // last output sample on the other side of the end (one sample in 24,000, 42 microseconds)
        assertEquals(b.length, a.length, 1, "as many samples as the file path makes");
        double worst = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        assertTrue(worst < 0.01, "largest difference " + worst + " of full scale");
        assertEquals(0.5, TestWavs.amplitude(a, 2_400, 21_600, 440, TARGET), 0.02, "the tone survives");
    }

    @Test
    void passesTheProvidersOwnLayoutThroughUnchanged() {
        RawFormat own = RawFormat.pcm16Mono24k();
        byte[] audio = tone(own, 0.2);
        PcmConverter converter = new PcmConverter(own, TARGET);
        assertArrayEquals(audio, converter.convert(audio, 0, audio.length));
        assertEquals(0, converter.flush().length);
    }

    @Test
    void refusesAPartialFrameNamingTheFrameSize() {
        PcmConverter converter = new PcmConverter(new RawFormat(48_000, 2, 16, false, false), TARGET);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> converter.convert(new byte[6], 0, 6));
        assertTrue(e.getMessage().contains("4-byte frames"), e.getMessage());
    }

    @Test
    void flushEndsTheSignalSoTheNextBlockStartsAfresh() {
        RawFormat format = new RawFormat(48_000, 1, 16, false, false);
        byte[] second = tone(format, 0.5);
        PcmConverter converter = new PcmConverter(format, TARGET);
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        first.writeBytes(converter.convert(second, 0, second.length));
        first.writeBytes(converter.flush());
        assertEquals(12_000, first.size() / 2, "0.5 s at 24 kHz, the filter's tail included");
        byte[] again = convertInPieces(format, second);
        ByteArrayOutputStream afterFlush = new ByteArrayOutputStream();
        afterFlush.writeBytes(converter.convert(second, 0, second.length));
        afterFlush.writeBytes(converter.flush());
        assertArrayEquals(again, afterFlush.toByteArray(), "after a flush the converter is as new");
    }
}
