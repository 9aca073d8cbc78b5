package dev.streamscribe.ingest;

import dev.streamscribe.audio.AudioFileDecoder;
import dev.streamscribe.avro.AudioFormat;

import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The audio formats a session can be sent in: the providers' pcm16 at 24 kHz, or G.711 at 8 kHz (telephony). Files
 * are decoded to pcm16 at {@link #sampleRate()} and then {@link #encode encoded}; G.711 encoding is the JDK's own
 * codec.
 */
public enum AudioEncoding {
    PCM16(AudioFormat.PCM16_24KHZ, AudioFileDecoder.PCM16_RATE, 2, null),
    G711_ULAW(AudioFormat.G711_ULAW, AudioFileDecoder.G711_RATE, 1, javax.sound.sampled.AudioFormat.Encoding.ULAW),
    G711_ALAW(AudioFormat.G711_ALAW, AudioFileDecoder.G711_RATE, 1, javax.sound.sampled.AudioFormat.Encoding.ALAW);

    private final AudioFormat wireFormat;
    private final int sampleRate;
    private final int bytesPerSample;
    private final javax.sound.sampled.AudioFormat.Encoding g711;

    AudioEncoding(AudioFormat wireFormat, int sampleRate, int bytesPerSample,
                  javax.sound.sampled.AudioFormat.Encoding g711) {
        this.wireFormat = wireFormat;
        this.sampleRate = sampleRate;
        this.bytesPerSample = bytesPerSample;
        this.g711 = g711;
    }

    public AudioFormat wireFormat() {
        return wireFormat;
    }

    public int sampleRate() {
        return sampleRate;
    }

    public int bytesPerSample() {
        return bytesPerSample;
    }

    /** Encodes mono pcm16 little-endian samples at {@link #sampleRate()}. */
    public byte[] encode(byte[] pcm16) {
        if (g711 == null) {
            return pcm16;
        }
        javax.sound.sampled.AudioFormat pcm = new javax.sound.sampled.AudioFormat(sampleRate, 16, 1, true, false);
        javax.sound.sampled.AudioFormat target = new javax.sound.sampled.AudioFormat(g711, sampleRate, 8, 1, 1,
                sampleRate, false);
        try (AudioInputStream in = AudioSystem.getAudioInputStream(target,
                new AudioInputStream(new ByteArrayInputStream(pcm16), pcm, pcm16.length / 2))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("G.711 encoding of an in-memory block failed", e);
        }
    }
}
