package dev.streamscribe.realtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiKeyTest {
    private static final String SECRET = "sk-live-abcdefghijklmnopqrstuvwxyz";

    @Test
    void shouldReadTheKeyFromTheNamedEnvironmentVariable() {
        ApiKey key = ApiKey.resolve(Optional.empty(), Optional.of("MY_KEY"), Map.of("MY_KEY", SECRET)).orElseThrow();
        assertEquals(SECRET, key.reveal());
        assertEquals("environment variable MY_KEY", key.source());
    }

    @Test
    void shouldPreferTheFileAndStripItsNewline(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("key");
        Files.writeString(file, SECRET + "\n");
        ApiKey key = ApiKey.resolve(Optional.of(file), Optional.of("MY_KEY"), Map.of("MY_KEY", "other")).orElseThrow();
        assertEquals(SECRET, key.reveal());
    }

    @Test
    void shouldHaveNoKeyWhenTheVariableIsUnset() {
        assertTrue(ApiKey.resolve(Optional.empty(), Optional.of("MY_KEY"), Map.of()).isEmpty());
    }

    @Test
    void shouldNameAnUnreadableFileWithoutShowingAnyKey(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ApiKey.resolve(Optional.of(dir.resolve("missing")), Optional.empty(), Map.of()));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void shouldNeverPrintTheKey() {
        ApiKey key = ApiKey.of(SECRET, "test");
        assertFalse(key.toString().contains(SECRET));
        assertFalse(new RealtimeEndpoint(Dialect.OPENAI_GA, URI.create("wss://example.invalid/v1/realtime"),
                Optional.of(key)).toString().contains(SECRET));
    }
}
