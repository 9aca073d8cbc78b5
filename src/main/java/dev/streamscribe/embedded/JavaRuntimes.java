package dev.streamscribe.embedded;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Finds a Java runtime of at least a given feature version for child processes (Apicurio Registry needs 21+):
 * this JVM first, then JAVA_HOME, then {@code java} on PATH, then /usr/lib/jvm. Versions are read from each
 * runtime's {@code release} file, so no process is started to ask.
 */
public final class JavaRuntimes {
    private JavaRuntimes() {
    }

    /** The {@code bin/java} of a runtime with feature version at least {@code minimum}. */
    public static Path find(int minimum, Map<String, String> env) {
        List<String> looked = new ArrayList<>();
        List<Path> homes = new ArrayList<>();
        homes.add(Path.of(System.getProperty("java.home")));
        Optional.ofNullable(env.get("JAVA_HOME")).filter(s -> !s.isBlank()).map(Path::of).ifPresent(homes::add);
        Optional.ofNullable(env.get("PATH")).ifPresent(path -> {
            for (String dir : path.split(File.pathSeparator)) {
                Path java = Path.of(dir, "java");
                if (Files.isExecutable(java)) {
                    try {
                        homes.add(java.toRealPath().getParent().getParent());
                    } catch (IOException ignored) {
                        // a dangling link on PATH is not a runtime
                    }
                }
            }
        });
        Path jvmDir = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvmDir)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(jvmDir)) {
                dirs.forEach(homes::add);
            } catch (IOException ignored) {
                // nothing to add
            }
        }
        for (Path home : homes) {
            Path java = home.resolve("bin").resolve("java");
            int version = featureVersion(home);
            looked.add(home + " (" + (version > 0 ? "Java " + version : "unknown version") + ")");
            if (version >= minimum && Files.isExecutable(java)) {
                return java;
            }
        }
        throw new IllegalStateException("no Java " + minimum + "+ runtime found; looked at " + String.join(", ", looked)
                + ". Install a JDK " + minimum + "+ (e.g. apt-get install openjdk-21-jdk-headless) or set JAVA_HOME.");
    }

    static int featureVersion(Path home) {
        if (home.equals(Path.of(System.getProperty("java.home")))) {
            return Runtime.version().feature();
        }
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return -1;
        }
        Properties props = new Properties();
        try (var reader = Files.newBufferedReader(release)) {
            props.load(reader);
        } catch (IOException e) {
            return -1;
        }
        String version = props.getProperty("JAVA_VERSION", "").replace("\"", "");
        try {
            String first = version.split("[.\\-+]")[0];
            int feature = Integer.parseInt(first);
            return feature == 1 ? Integer.parseInt(version.split("\\.")[1]) : feature;
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
