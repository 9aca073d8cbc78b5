package dev.streamscribe.audio;

import dev.streamscribe.avro.AudioFormat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;
import javax.sound.sampled.AudioFormat.Encoding;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/**
 * The audio formats a session can be sent in, defined once for the whole project: the providers' pcm16 at 24 kHz,
 * or G.711 at 8 kHz (telephony), with their sample size, bytes per millisecond, record format and wire names in
 * both OpenAI shapes (docs/protocol.md section 6). Files are decoded to pcm16 at {@link #sampleRate()} and then
 * {@link #encode encoded}; G.711 encoding is the JDK's own codec.
 */
public enum AudioEncoding {
    PCM16(AudioFormat.PCM16_24KHZ, AudioFileDecoder.PCM16_RATE, 2, null, "pcm16", "audio/pcm"),
    G711_ULAW(AudioFormat.G711_ULAW, AudioFileDecoder.G711_RATE, 1, Encoding.ULAW, "g711_ulaw", "audio/pcmu"),
    G711_ALAW(AudioFormat.G711_ALAW, AudioFileDecoder.G711_RATE, 1, Encoding.ALAW, "g711_alaw", "audio/pcma");

    /**
     * The largest piece of audio one chunk record or one {@code input_audio_buffer.append} carries: far below the
     * providers' 15 MiB event limit, and small enough for Kafka's default record size after base64 and Avro.
     */
    public static final int MAX_CHUNK_BYTES = 256 * 1024;

    private final AudioFormat recordFormat;
    private final int sampleRate;
    private final int bytesPerSample;
    private final Encoding g711;
    private final String betaName;
    private final String gaType;

    AudioEncoding(AudioFormat recordFormat, int sampleRate, int bytesPerSample, Encoding g711, String betaName,
                  String gaType) {
        this.recordFormat = recordFormat;
        this.sampleRate = sampleRate;
        this.bytesPerSample = bytesPerSample;
        this.g711 = g711;
        this.betaName = betaName;
        this.gaType = gaType;
    }

    /** The encoding of a record's {@link AudioFormat}; empty for UNKNOWN (a format added after this build). */
    public static Optional<AudioEncoding> of(AudioFormat format) {
        return Arrays.stream(values()).filter(e -> e.recordFormat == format).findFirst();
    }

    /** The encoding a beta {@code input_audio_format} names ({@code pcm16}, {@code g711_ulaw}, {@code g711_alaw}). */
    public static Optional<AudioEncoding> ofBetaName(String name) {
        return Arrays.stream(values()).filter(e -> e.betaName.equals(name)).findFirst();
    }

    /** The encoding a GA {@code audio.input.format.type} names ({@code audio/pcm}, {@code audio/pcmu}, ...). */
    public static Optional<AudioEncoding> ofGaType(String type) {
        return Arrays.stream(values()).filter(e -> e.gaType.equals(type)).findFirst();
    }

    /** The value in AudioChunk and SessionConfig records. */
    public AudioFormat wireFormat() {
        return recordFormat;
    }

    public int sampleRate() {
        return sampleRate;
    }

    public int bytesPerSample() {
        return bytesPerSample;
    }

    /** 48 for 24 kHz pcm16, 8 for G.711. */
    public int bytesPerMillisecond() {
        return sampleRate / 1000 * bytesPerSample;
    }

    /** Milliseconds of audio in {@code bytes} bytes. */
    public long millisOf(long bytes) {
        return bytes / bytesPerMillisecond();
    }

    /** The beta dialect's name: {@code pcm16}, {@code g711_ulaw}, {@code g711_alaw}. */
    public String betaName() {
        return betaName;
    }

    /** The GA dialect's {@code format.type}: {@code audio/pcm}, {@code audio/pcmu}, {@code audio/pcma}. */
    public String gaType() {
        return gaType;
    }

    public boolean isG711() {
        return g711 != null;
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
