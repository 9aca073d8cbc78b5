package dev.streamscribe.cli;

import dev.streamscribe.audio.AudioEncoding;
import dev.streamscribe.audio.AudioFileDecoder.RawFormat;
import dev.streamscribe.ingest.TurnPolicy;
import picocli.CommandLine.Option;

import java.time.Duration;

/** How files are decoded, cut into turns and chunked. Changing these makes new sessions (new session ids). */
final class AudioLayoutOptions {
    @Option(names = "--encoding", defaultValue = "PCM16",
            description = "What sessions are sent as: PCM16 (24 kHz mono, the default), G711_ULAW or G711_ALAW (8 kHz).")
    AudioEncoding encoding;

    @Option(names = "--pcm-rate", defaultValue = "24000",
            description = "Sample rate of headerless .pcm/.raw files (default: ${DEFAULT-VALUE}).")
    int pcmRate;

    @Option(names = "--pcm-channels", defaultValue = "1", description = "Channels of .pcm/.raw files (default: ${DEFAULT-VALUE}).")
    int pcmChannels;

    @Option(names = "--pcm-bits", defaultValue = "16",
            description = "Bits per sample of .pcm/.raw files: 8 (unsigned), 16, 24, 32 (signed) (default: ${DEFAULT-VALUE}).")
    int pcmBits;

    @Option(names = "--pcm-float", description = "Samples of .pcm/.raw files are 32-bit float.")
    boolean pcmFloat;

    @Option(names = "--pcm-big-endian", description = "Samples of .pcm/.raw files are big-endian (default: little).")
    boolean pcmBigEndian;

    @Option(names = "--max-turn-seconds", defaultValue = "120",
            description = "Longest turn; a longer stretch is cut (default: ${DEFAULT-VALUE}; 0 = no limit).")
    double maxTurnSeconds;

    @Option(names = "--silence-ms", defaultValue = "800",
            description = "A pause this long followed by speech starts a new turn (default: ${DEFAULT-VALUE}; 0 = never).")
    long silenceMs;

    @Option(names = "--silence-threshold-db", defaultValue = "-40",
            description = "Level below which audio counts as a pause, dBFS (default: ${DEFAULT-VALUE}).")
    double silenceThresholdDb;

    @Option(names = "--min-turn-seconds", defaultValue = "2",
            description = "Pauses never end a turn shorter than this (default: ${DEFAULT-VALUE}).")
    double minTurnSeconds;

    @Option(names = "--stream", defaultValue = "0", paramLabel = "N",
            description = "Audio stream of files decoded by ffmpeg that hold several (0 = the first; default: ${DEFAULT-VALUE}).")
    int stream;

    @Option(names = "--chunk-kib", defaultValue = "256",
            description = "Largest audio chunk record, 1..256 KiB (default: ${DEFAULT-VALUE}).")
    int chunkKib;

    RawFormat rawFormat() {
        return new RawFormat(pcmRate, pcmChannels, pcmBits, pcmFloat, pcmBigEndian);
    }

    TurnPolicy turnPolicy() {
        return new TurnPolicy(Duration.ofMillis(Math.round(maxTurnSeconds * 1000)), Duration.ofMillis(silenceMs),
                silenceThresholdDb, Duration.ofMillis(Math.round(minTurnSeconds * 1000)));
    }

    int chunkBytes() {
        return chunkKib * 1024;
    }
}
