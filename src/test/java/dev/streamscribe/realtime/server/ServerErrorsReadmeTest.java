package dev.streamscribe.realtime.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** README lists every error code of ours the local server can send. */
class ServerErrorsReadmeTest {
    @Test
    void shouldListEveryOwnErrorCodeInTheReadme() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("streamscribe.project.dir", "."), "README.md"));
        for (ServerErrors.OwnCode code : ServerErrors.OWN_CODES) {
            assertTrue(readme.contains("| `" + code.code() + "` | " + code.when() + " |"),
                    "README.md lacks the row for " + code.code());
        }
    }
}
