package dev.streamscribe.ingest;

import dev.streamscribe.audio.FfmpegDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Ingests a list of files and directories: directories are searched (recursively, in name order) for audio files;
 * each file becomes one session; a file that cannot be read is reported with its reason and the others still run.
 *
 * <p>Threading: runs on the caller's thread.
 */
public final class IngestJob {
    /** Names the files a directory contributes: WAV and raw PCM read here, the rest decoded by ffmpeg. */
    public static final List<String> AUDIO_EXTENSIONS = Stream.concat(Stream.of(".wav", ".wave", ".pcm", ".raw"),
            FfmpegDecoder.EXTENSIONS.stream()).toList();

    /** A file that could not be ingested, and why: {@code message} names the file. */
    public record Failure(Path file, String message) {
        public static Failure of(Path file, String reason) {
            String text = reason == null ? "failed" : reason;
            return new Failure(file, text.contains(file.toString()) ? text : file + ": " + text);
        }
    }

    /**
     * What happened to every input.
     *
     * @param ignored files directories held that are not audio by their name, counted by extension (".txt" -> 8),
     *                so that nothing is skipped in silence
     */
    public record Report(List<AudioIngestor.Ingested> ingested, List<Failure> failures, Map<String, Integer> ignored) {
        public Report {
            ignored = Map.copyOf(ignored);
        }

        public boolean ok() {
            return failures.isEmpty();
        }

        /** "ignored 8 .txt files, 1 .jpg file", or empty when nothing was ignored. */
        public Optional<String> describeIgnored() {
            return describe(ignored);
        }

        public long audioMs() {
            return ingested.stream().mapToLong(AudioIngestor.Ingested::audioMs).sum();
        }
    }

    /**
     * Follows the job; {@code progress} is called on ingest and Kafka producer threads, the rest on the job's thread,
     * in input order.
     */
    public interface Listener {
        default void started(List<Path> files, long totalBytes) {
        }

        default void progress(Path file, long fileBytesDone, long fileBytes) {
        }

        default void finished(AudioIngestor.Ingested ingested) {
        }

        default void failed(Failure failure) {
        }

        default void completed(Report report) {
        }
    }

    private static final int PARALLEL_FILES = 2;
    private final AudioIngestor ingestor;

    public IngestJob(AudioIngestor ingestor) {
        this.ingestor = ingestor;
    }

    /**
     * Expands {@code inputs} to files: a file stays itself, a directory gives its audio files. Inputs that do not
     * exist and directories without audio become failures, so the caller reports them with the rest.
     */
    public static Expanded expand(List<Path> inputs) {
        List<Path> files = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        Map<String, Integer> ignored = new TreeMap<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                List<Path> all;
                try (Stream<Path> walk = Files.walk(input)) {
                    all = walk.filter(Files::isRegularFile).sorted().toList();
                } catch (IOException e) {
                    failures.add(Failure.of(input, "cannot list the directory: " + e.getMessage()));
                    continue;
                }
                List<Path> found = all.stream().filter(IngestJob::hasAudioExtension).toList();
                all.stream().filter(file -> !hasAudioExtension(file))
                        .forEach(file -> ignored.merge(extensionOf(file), 1, Integer::sum));
                if (found.isEmpty()) {
                    failures.add(Failure.of(input, "directory holds no audio files (looked for "
                            + String.join(", ", AUDIO_EXTENSIONS) + ")"
                            + describe(ignored).map(text -> "; " + text).orElse("")));
                }
                files.addAll(found);
            } else if (Files.isRegularFile(input)) {
                files.add(input);
            } else {
                failures.add(Failure.of(input, Files.exists(input) ? "not a regular file" : "no such file or directory"));
            }
        }
        return new Expanded(List.copyOf(files), List.copyOf(failures), ignored);
    }

    /** Files to ingest, inputs already known to fail, and what directories held besides audio (by extension). */
    public record Expanded(List<Path> files, List<Failure> failures, Map<String, Integer> ignored) {
        public Expanded {
            ignored = Map.copyOf(ignored);
        }
    }

    private static String extensionOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? "(no extension)" : name.substring(dot);
    }

    private static Optional<String> describe(Map<String, Integer> ignored) {
        if (ignored.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("ignored " + new TreeMap<>(ignored).entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey() + (e.getValue() == 1 ? " file" : " files"))
                .collect(java.util.stream.Collectors.joining(", ")) + " (not audio by their names)");
    }

    private static boolean hasAudioExtension(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return AUDIO_EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /** Ingests every input, two files at a time; never throws for a bad file. */
    public Report run(List<Path> inputs, Listener listener) {
        Expanded expanded = expand(inputs);
        List<Failure> failures = new ArrayList<>(expanded.failures());
        expanded.failures().forEach(listener::failed);
        long total = expanded.files().stream().mapToLong(IngestJob::sizeOf).sum();
        listener.started(expanded.files(), total);
        List<AudioIngestor.Ingested> ingested = new ArrayList<>();
        // Two files at a time: one decodes while the other's chunks are on the way to Kafka (measured by the bench:
        // one at a time, ingest was most of the pipeline's time). Results are reported in input order.
        ExecutorService workers = Executors.newFixedThreadPool(PARALLEL_FILES,
                Thread.ofPlatform().name("ingest-", 0).daemon().factory());
        try {
            List<Future<Object>> outcomes = new ArrayList<>();
            for (Path file : expanded.files()) {
                long size = sizeOf(file);
                outcomes.add(workers.submit(() -> {
                    try {
                        // audio bytes acknowledged, scaled to the file's size: progress in the units the user gave
                        AudioIngestor.Ingested done = ingestor.ingest(file, (sent, of) ->
                                listener.progress(file, sent * size / Math.max(1, of), size));
                        listener.progress(file, size, size);
                        return done;
                    } catch (IOException | RuntimeException e) {
                        return Failure.of(file, e.getMessage());
                    }
                }));
            }
            for (Future<Object> outcome : outcomes) {
                Object result = join(outcome);
                if (result instanceof AudioIngestor.Ingested done) {
                    ingested.add(done);
                    listener.finished(done);
                } else {
                    Failure failure = (Failure) result;
                    failures.add(failure);
                    listener.failed(failure);
                }
            }
        } finally {
            workers.shutdownNow();
        }
        Report report = new Report(List.copyOf(ingested), List.copyOf(failures), expanded.ignored());
        listener.completed(report);
        return report;
    }

    private static Object join(Future<Object> outcome) {
        try {
            return outcome.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while ingesting", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
