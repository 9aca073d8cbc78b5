package dev.streamscribe.audio;

import dev.streamscribe.testing.TestWavs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** WAV variants in, 24 kHz mono pcm16 out, checked numerically: length, a tone keeps its frequency and level. */
class AudioFileDecoderTest {
    @TempDir
    Path dir;

    /** Writes a WAV holding a 1 kHz tone at half scale in every channel. */
    private Path wav(float rate, int bits, int channels, boolean floating, double seconds) throws Exception {
        return TestWavs.write(dir.resolve(rate + "-" + bits + "-" + channels
                + (floating ? "f" : "") + ".wav"), rate, bits, channels, floating, seconds,
                new TestWavs.Tone(1_000, 0.5));
    }

    private static float[] samples(byte[] pcm) {
        ByteBuffer buffer = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[pcm.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = buffer.getShort() / 32767f;
        }
        return out;
    }

    @ParameterizedTest(name = "{0} Hz, {1}-bit, {2} channel(s), float={3}")
    @CsvSource({"8000,8,1,false", "16000,16,2,false", "24000,16,1,false", "44100,16,2,false", "48000,24,1,false",
            "48000,32,2,false", "48000,32,2,true", "96000,16,1,false"})
    void shouldConvertEveryVariantTo24KilohertzMonoKeepingTheTone(float rate, int bits, int channels, boolean floating)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AudioFileDecoder.Source source = AudioFileDecoder.wavToPcm16(wav(rate, bits, channels, floating, 2.0), out::writeBytes);
        assertEquals(2_000, source.durationMs(), 1);
        assertEquals(channels, source.channels());
        assertEquals(2 * 48_000, out.size(), 4, "two seconds of 24 kHz pcm16");
        float[] pcm = samples(out.toByteArray());
        assertTrue(ResamplerTest.power(pcm, 1_000, 24_000) > 100 * ResamplerTest.power(pcm, 1_300, 24_000),
                "the tone stays at 1 kHz");
        assertEquals(0.5 / Math.sqrt(2), ResamplerTest.rms(pcm), 0.02, "and at its level");
    }

    @Test
    void shouldNameAnEmptyFile() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.wav"));
        var e = assertThrows(AudioFileDecoder.UnreadableAudioException.class, () -> AudioFileDecoder.wavToPcm16(empty, b -> { }));
        assertTrue(e.getMessage().endsWith("empty.wav is empty"), e.getMessage());
    }

    @Test
    void shouldNameATextFileThatCallsItselfWav() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.wav"), "these are meeting notes, not audio\n".repeat(20));
        var e = assertThrows(AudioFileDecoder.UnreadableAudioException.class, () -> AudioFileDecoder.wavToPcm16(text, b -> { }));
        assertTrue(e.getMessage().contains("notes.wav is not a WAV file"), e.getMessage());
    }

    @Test
    void shouldNameAWavWhoseHeaderIsCutShort() throws Exception {
        byte[] whole = Files.readAllBytes(wav(16_000, 16, 1, false, 0.5));
        Path cut = Files.write(dir.resolve("cut.wav"), Arrays.copyOf(whole, 20));
        var e = assertThrows(AudioFileDecoder.UnreadableAudioException.class, () -> AudioFileDecoder.wavToPcm16(cut, b -> { }));
        assertTrue(e.getMessage().contains("cut.wav"), e.getMessage());
    }

    @Test
    void shouldRefuseAWavWhoseDataIsCutShortSayingHowMuchIsMissing() throws Exception {
        byte[] whole = Files.readAllBytes(wav(16_000, 16, 1, false, 1.0));
        Path cut = Files.write(dir.resolve("half.wav"), Arrays.copyOf(whole, 44 + 16_000));
        var e = assertThrows(AudioFileDecoder.UnreadableAudioException.class, () -> AudioFileDecoder.wavToPcm16(cut, b -> { }));
        assertTrue(e.getMessage().contains("half.wav is truncated: its header declares 16000 frames (1.00 s) but it holds 8000 (0.50 s)"),
                e.getMessage());
    }

    @Test
    void shouldDecodeHeaderlessPcmOfAStatedLayout() throws Exception {
        ByteBuffer data = ByteBuffer.allocate(16_000 * 2 * 2).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < 16_000; i++) {
            short s = (short) Math.round(0.5 * 32767 * Math.sin(2 * Math.PI * 1_000 * i / 16_000.0));
            data.putShort(s).putShort(s);
        }
        Path raw = Files.write(dir.resolve("capture.pcm"), data.array());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AudioFileDecoder.raw(raw, new AudioFileDecoder.RawFormat(16_000, 2, 16, false, true), 24_000, out::writeBytes);
        float[] pcm = samples(out.toByteArray());
        assertEquals(24_000, pcm.length, 2, "one second at 24 kHz");
        assertEquals(0.5 / Math.sqrt(2), ResamplerTest.rms(Arrays.copyOfRange(pcm, 2_400, 21_600)), 0.02);
    }

    @Test
    void shouldRefuseHeaderlessPcmThatIsNotAWholeNumberOfFrames() throws Exception {
        Path raw = Files.write(dir.resolve("odd.pcm"), new byte[1_001]);
        var e = assertThrows(AudioFileDecoder.UnreadableAudioException.class, () -> AudioFileDecoder.raw(raw,
                AudioFileDecoder.RawFormat.pcm16Mono24k(), 24_000, b -> { }));
        assertTrue(e.getMessage().contains("odd.pcm is 1001 bytes, not a whole number of 2-byte frames"), e.getMessage());
    }
}
