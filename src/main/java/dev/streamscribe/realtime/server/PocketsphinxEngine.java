package dev.streamscribe.realtime.server;

import dev.streamscribe.audio.AudioEncoding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/**
 * Real offline speech recognition with Debian's pocketsphinx and its US English model: one
 * {@code pocketsphinx_continuous} process per committed turn, reading the turn's raw pcm16 from stdin and printing
 * one line per utterance it detects (joined with spaces; none = an empty transcript, as for silence).
 *
 * <p>Why processes: pocketsphinx has no Java binding on Maven Central, and a crash stays in its process, so a
 * decoder that dies fails one item only. Loading the model takes about 0.5 s, so a few processes are started
 * ahead ({@code warm}) and each used one is replaced at once. At most {@code decoders} turns decode at a time;
 * the rest queue. Audio is streamed to the process, never copied again.
 *
 * <p>Threading: {@link #transcribe} may be called from any thread and returns at once; decoding runs on this
 * engine's own threads, two per active decoder (one feeds stdin, one reads stdout).
 */
public final class PocketsphinxEngine implements SpeechEngine {
    private static final Logger log = LoggerFactory.getLogger(PocketsphinxEngine.class);
    public static final String BINARY = "pocketsphinx_continuous";
    /** Where Debian's pocketsphinx-en-us puts the model. */
    public static final Path MODEL_DIR = Path.of("/usr/share/pocketsphinx/model/en-us");

    private final Path binary;
    private final Semaphore decoders;
    private final BlockingQueue<Process> warm;
    private final ExecutorService threads;
    private volatile boolean closed;

    private PocketsphinxEngine(Path binary, int decoders) {
        this.binary = binary;
        this.decoders = new Semaphore(decoders);
        this.warm = new ArrayBlockingQueue<>(decoders);
        this.threads = Executors.newCachedThreadPool(Thread.ofPlatform().name("pocketsphinx-", 0).daemon().factory());
        for (int i = 0; i < decoders; i++) {
            threads.execute(this::prestart);
        }
    }

    /**
     * Starts the engine with up to {@code decoders} turns decoding at once.
     *
     * @throws IllegalStateException pocketsphinx or its English model is not installed (the message says how to)
     */
    public static PocketsphinxEngine start(int decoders) {
        Path binary = locate().orElseThrow(() -> new IllegalStateException("the pocketsphinx engine needs Debian's "
                + "pocketsphinx and its English model: apt-get install pocketsphinx pocketsphinx-en-us ("
                + BINARY + " not found on PATH" + (Files.isDirectory(MODEL_DIR) ? "" : ", no model in " + MODEL_DIR) + ")"));
        if (decoders < 1) {
            throw new IllegalArgumentException("decoders must be at least 1, got " + decoders);
        }
        return new PocketsphinxEngine(binary, decoders);
    }

    /** For tests: a stand-in binary that takes pocketsphinx's arguments (e.g. a wrapper that crashes on purpose). */
    static PocketsphinxEngine startWith(Path binary, int decoders) {
        return new PocketsphinxEngine(binary, decoders);
    }

    /** The binary, when pocketsphinx and its English model are installed. */
    public static Optional<Path> locate() {
        if (!Files.isDirectory(MODEL_DIR)) {
            return Optional.empty();
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, BINARY);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    @Override
    public String name() {
        return "pocketsphinx";
    }

    private Process launch(int sampleRate) throws IOException {
        return new ProcessBuilder(binary.toString(), "-infile", "/dev/stdin", "-samprate", String.valueOf(sampleRate),
                "-nfft", sampleRate == 24000 ? "1024" : "256", "-logfn", "/dev/null")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private void prestart() {
        if (closed) {
            return;
        }
        try {
            Process process = launch(24000);
            if (!warm.offer(process)) {
                process.destroy();
            }
        } catch (IOException e) {
            log.warn("cannot start {}: {}", binary, e.toString());
        }
    }

    @Override
    public CompletableFuture<String> transcribe(SpeechInput input) {
        CompletableFuture<String> result = new CompletableFuture<>();
        threads.execute(() -> {
            try {
                decoders.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result.completeExceptionally(e);
                return;
            }
            try {
                result.complete(decode(input));
            } catch (Exception e) {
                result.completeExceptionally(e);
            } finally {
                decoders.release();
            }
        });
        return result;
    }

    private String decode(SpeechInput input) throws IOException, InterruptedException {
        if (closed) {
            throw new IllegalStateException("the pocketsphinx engine is closed");
        }
        byte[] pcm;
        Process process;
        if (input.format() == AudioEncoding.PCM16) {
            pcm = input.audio();
            process = warm.poll(30, TimeUnit.SECONDS);
            threads.execute(this::prestart); // replace it while this one decodes
        } else {
            // G.711 is 8 kHz: decoded and given to a decoder set for 8 kHz (outside the model's range: poor results)
            pcm = decodeG711(input);
            process = launch(8000);
        }
        if (process == null || !process.isAlive()) {
            throw new IOException("no pocketsphinx decoder could be started");
        }
        CompletableFuture<Void> fed = CompletableFuture.runAsync(() -> {
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(pcm);
            } catch (IOException e) {
                // the decoder died while reading: its exit code tells
            }
        }, threads);
        List<String> lines = new ArrayList<>();
        try (InputStream stdout = process.getInputStream()) {
            for (String line : new String(stdout.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    lines.add(line.strip());
                }
            }
        }
        fed.join();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("pocketsphinx did not finish within 60 s");
        }
        if (process.exitValue() != 0) {
            throw new IOException("pocketsphinx exited with code " + process.exitValue());
        }
        return String.join(" ", lines);
    }

    /** G.711 u-law or A-law to 8 kHz pcm16, with the JDK's codec. */
    private static byte[] decodeG711(SpeechInput input) throws IOException {
        AudioFormat.Encoding encoding = input.format() == AudioEncoding.G711_ULAW ? AudioFormat.Encoding.ULAW : AudioFormat.Encoding.ALAW;
        AudioFormat g711 = new AudioFormat(encoding, 8000, 8, 1, 1, 8000, false);
        AudioFormat pcm = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, 8000, 16, 1, 2, 8000, false);
        try (AudioInputStream source = new AudioInputStream(new ByteArrayInputStream(input.audio()), g711, input.audio().length);
             AudioInputStream decoded = AudioSystem.getAudioInputStream(pcm, source)) {
            return decoded.readAllBytes();
        }
    }

    @Override
    public void close() {
        closed = true;
        Process process;
        while ((process = warm.poll()) != null) {
            process.destroy();
        }
        threads.shutdownNow();
    }
}
