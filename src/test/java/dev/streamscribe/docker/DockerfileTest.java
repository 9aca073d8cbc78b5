package dev.streamscribe.docker;

import dev.streamscribe.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * There is no Docker engine here to build the image, so the Dockerfile is checked as data: every STREAMSCRIBE_*
 * variable it sets is a key the app knows, and the operations endpoint listens where a container needs it.
 */
class DockerfileTest {
    private static final Path DOCKERFILE = Path.of(System.getProperty("streamscribe.project.dir", "."),
            "docker/Dockerfile");

    /** The ENV instructions of the final stage, as NAME -> value ({@code ENV NAME=value} form). */
    private static Map<String, String> finalStageEnv() throws IOException {
        List<String> lines = Files.readAllLines(DOCKERFILE);
        int finalStage = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("FROM ")) {
                finalStage = i;
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : lines.subList(finalStage, lines.size())) {
            if (line.startsWith("ENV ")) {
                String assignment = line.substring(4).trim();
                int equals = assignment.indexOf('=');
                assertTrue(equals > 0, "ENV in NAME=value form: " + line);
                env.put(assignment.substring(0, equals), assignment.substring(equals + 1));
            }
        }
        return env;
    }

    @Test
    void setsOnlyConfigurationKeysTheAppKnows() throws IOException {
        Set<String> known = ConfigLoader.KEYS.stream().map(ConfigLoader.Key::envName).collect(Collectors.toSet());
        Set<String> unknown = finalStageEnv().keySet().stream().filter(k -> k.startsWith("STREAMSCRIBE_"))
                .filter(k -> !known.contains(k)).collect(Collectors.toSet());
        assertTrue(unknown.isEmpty(), "the Dockerfile sets keys the app does not know: " + unknown);
    }

    @Test
    void listensForProbesAndScrapesOnEveryInterfaceOfTheContainer() throws IOException {
        assertEquals("0.0.0.0", finalStageEnv().get("STREAMSCRIBE_OPERATIONS_HOST"));
        assertTrue(Files.readAllLines(DOCKERFILE).contains("EXPOSE 9464"), "the operations port is exposed");
    }
}
