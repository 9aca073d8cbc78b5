package dev.streamscribe.util;

import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Clean-up of temporary folders (demo, bench). */
public final class Folders {
    private Folders() {
    }

    /** Deletes {@code dir} and everything in it; a failure is logged, never thrown (it is clean-up). */
    public static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LoggerFactory.getLogger(Folders.class).warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
