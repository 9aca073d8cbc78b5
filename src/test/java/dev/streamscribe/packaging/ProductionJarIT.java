package dev.streamscribe.packaging;

import dev.streamscribe.testing.Cli;
import dev.streamscribe.testing.SharedInfrastructure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two jars {@code package} builds (failsafe runs after it): target/streamscribe.jar, the production jar, and
 * target/streamscribe-dev.jar. What each holds, that nothing in the production jar needs a class it left out, and
 * that it runs.
 */
class ProductionJarIT {
    private static final Path TARGET = Path.of(System.getProperty("streamscribe.project.dir", ".")).resolve("target");
    private static final Path PRODUCTION = TARGET.resolve("streamscribe.jar");
    private static final Path DEVELOPMENT = TARGET.resolve("streamscribe-dev.jar");

    @Test
    void productionJarHoldsNoBrokerScalaSecondLoggingBackendOrDevelopmentCommand() throws IOException {
        List<String> offending = entries(PRODUCTION).stream().filter(name -> name.startsWith("kafka/") && name.endsWith(".class")
                || name.startsWith("scala/") || name.startsWith("org/apache/logging/log4j/")
                || name.startsWith("org/apache/kafka/raft/") || name.startsWith("org/apache/kafka/controller/")
                || name.startsWith("dev/streamscribe/embedded/") || name.startsWith("dev/streamscribe/bench/")
                || name.startsWith("dev/streamscribe/cli/DemoCommand")).limit(10).toList();
        assertEquals(List.of(), offending);
    }

    @Test
    void productionJarCarriesNativesForLinuxX8664AndAarch64Only() throws IOException {
        Set<String> platforms = nativePlatforms(PRODUCTION);
        assertEquals(Set.of("linux-aarch64", "linux-x86_64"), platforms);
        List<String> natives = natives(PRODUCTION);
        for (String library : List.of("rocksdbjni", "zstd-jni", "snappyjava", "lz4-java")) {
            assertEquals(2, natives.stream().filter(name -> name.contains(library)).count(), library + " in " + natives);
        }
    }

    @Test
    void developmentJarAddsTheBrokerAndMacOsNatives() throws IOException {
        List<String> names = entries(DEVELOPMENT);
        assertTrue(names.contains("kafka/server/KafkaRaftServer.class"), "no broker in the development jar");
        assertTrue(names.contains("dev/streamscribe/cli/DemoCommand.class"));
        assertEquals(Set.of("linux-aarch64", "linux-x86_64", "macos-aarch64", "macos-x86_64"),
                nativePlatforms(DEVELOPMENT));
    }

    @Test
    void noClassOfOursOrOfTheStreamsResetterNeedsAClassTheProductionJarLeftOut() {
        StringWriter out = new StringWriter();
        int code = ToolProvider.findFirst("jdeps").orElseThrow()
                .run(new PrintWriter(out), new PrintWriter(out), "--multi-release", "21", "--missing-deps",
                        PRODUCTION.toString());
        List<String> missing = out.toString().lines().map(String::strip)
                .filter(line -> line.startsWith("dev.streamscribe") || line.startsWith("org.apache.kafka.tools")
                        || line.startsWith("org.apache.kafka.streams") || line.startsWith("org.apache.kafka.clients")
                        || line.startsWith("org.apache.kafka.server"))
                .toList();
        assertEquals(0, code, out.toString());
        assertEquals(List.of(), missing);
    }

    @Test
    void productionJarSaysWhereDemoIsInsteadOfRunningIt() throws Exception {
        Run demo = java("demo");
        assertEquals(2, demo.exitCode(), demo.output());
        assertTrue(demo.output().contains("only in the development jar, target/streamscribe-dev.jar"), demo.output());
    }

    @Test
    void productionJarResetsAnApplicationWithKafkasStreamsResetter(@TempDir Path state) throws Exception {
        List<String> flags = Cli.pipelineFlags("production-jar-reset", state, "ws://127.0.0.1:1/v1/realtime");
        var topics = Cli.pipelineConfig(flags).topics();
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafka().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topics.sessionConfigs(), 1, (short) 1),
                    new NewTopic(topics.audioChunks(), 1, (short) 1))).all().get();
        }
        List<String> args = new ArrayList<>(List.of("reset", "--dry-run"));
        args.addAll(flags);
        args.set(args.indexOf("topologies/transcribe.properties"),
                TARGET.resolveSibling("topologies/transcribe.properties").toString());
        Run reset = java(args.toArray(String[]::new));
        assertEquals(0, reset.exitCode(), reset.output());
        assertTrue(reset.output().contains("dry run: nothing changed"), reset.output());
    }

    private record Run(int exitCode, String output) {
    }

    private static Run java(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", PRODUCTION.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "still running: " + command);
        return new Run(process.exitValue(), output);
    }

    private static List<String> entries(Path jar) throws IOException {
        assertTrue(Files.isRegularFile(jar), jar + " was not built");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName).toList();
        }
    }

    private static List<String> natives(Path jar) throws IOException {
        return entries(jar).stream().filter(name -> name.matches(".*\\.(so|dll|dylib|jnilib|a)$")).toList();
    }

    /** "linux-x86_64" and the like, read from the paths and names each library uses for its natives. */
    private static Set<String> nativePlatforms(Path jar) throws IOException {
        Set<String> platforms = new TreeSet<>();
        for (String name : natives(jar)) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            String os = lower.contains("linux") ? "linux"
                    : lower.contains("darwin") || lower.contains("/mac/") || lower.contains("osx") ? "macos"
                    : "other:" + name;
            String arch = lower.contains("aarch64") || lower.contains("arm64") ? "aarch64"
                    : lower.contains("amd64") || lower.contains("x86_64") || lower.contains("linux64") ? "x86_64"
                    : "other:" + name;
            platforms.add(os + "-" + arch);
        }
        return platforms;
    }
}
