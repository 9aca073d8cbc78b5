package dev.streamscribe.embedded;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JavaRuntimesTest {
    @Test
    void shouldFindTheRunningJvmWhenItIsNewEnough() {
        Path java = JavaRuntimes.find(Runtime.version().feature(), Map.of());
        assertTrue(Files.isExecutable(java), java.toString());
    }

    @Test
    void shouldSayWhatItLookedAtWhenNoRuntimeIsNewEnough() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> JavaRuntimes.find(999, Map.of()));
        assertTrue(e.getMessage().startsWith("no Java 999+ runtime found; looked at "), e.getMessage());
        assertTrue(e.getMessage().contains(System.getProperty("java.home")), e.getMessage());
    }

    @Test
    void shouldReadTheFeatureVersionFromTheReleaseFile(@org.junit.jupiter.api.io.TempDir Path home) throws Exception {
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
        assertEquals(17, JavaRuntimes.featureVersion(home));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"1.8.0_402\"\n");
        assertEquals(8, JavaRuntimes.featureVersion(home));
    }
}
