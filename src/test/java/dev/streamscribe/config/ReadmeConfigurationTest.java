package dev.streamscribe.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's configuration table is the operator's manual: it must list every key the loader accepts. */
class ReadmeConfigurationTest {
    @Test
    void shouldDocumentEveryConfigurationKeyInTheReadme() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("streamscribe.project.dir", "."), "README.md"));
        List<String> missing = ConfigLoader.KEYS.stream().map(ConfigKeys.Key::name)
                .filter(key -> !readme.contains("`" + key + "`")).toList();
        assertTrue(missing.isEmpty(), "README.md does not document: " + missing);
    }
}
