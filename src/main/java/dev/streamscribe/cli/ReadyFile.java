package dev.streamscribe.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;

/**
 * {@code --ready-file}: a command that serves something writes what a parent process needs to reach it (a bootstrap
 * address, a port) as a properties file once it is ready, so the parent neither parses log lines nor guesses. Written
 * to a temporary name and moved into place, so a reader never sees half a file.
 */
final class ReadyFile {
    private ReadyFile() {
    }

    static void write(Path file, Map<String, String> facts) {
        Properties properties = new Properties();
        properties.putAll(facts);
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            try (Writer out = Files.newBufferedWriter(temporary)) {
                properties.store(out, "streamscribe: ready");
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ready file " + file, e);
        }
    }
}
