package dev.streamscribe.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamscribe.config.ConfigKeys;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.metrics.OperationsEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * There is no Docker engine here to build the image, so the Dockerfile is read as its instructions (one per
 * logical line, continuations joined, comments dropped: the Dockerfile grammar) and checked: the STREAMSCRIBE_*
 * variables are keys the app knows, the state directory belongs to the user the app runs as, the bases are
 * pinned, dependencies sit in a layer of their own, and the HEALTHCHECK command is run here, under bash, against
 * a real operations endpoint.
 */
class DockerfileTest {
    private static final Path DOCKERFILE = Path.of(System.getProperty("streamscribe.project.dir", "."),
            "docker/Dockerfile");

    private record Instruction(String keyword, String arguments) {
    }

    private static List<Instruction> instructions() throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && logical.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                logical.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            logical.append(trimmed);
            String text = logical.toString().strip();
            logical.setLength(0);
            int space = text.indexOf(' ');
            instructions.add(new Instruction(text.substring(0, space).toUpperCase(java.util.Locale.ROOT),
                    text.substring(space + 1).strip()));
        }
        assertTrue(logical.isEmpty(), "the Dockerfile ends inside a continued line");
        return instructions;
    }

    private static List<Instruction> finalStage() throws IOException {
        List<Instruction> all = instructions();
        int from = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).keyword().equals("FROM")) {
                from = i;
            }
        }
        return all.subList(from, all.size());
    }

    private static List<String> arguments(List<Instruction> instructions, String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    /** The ENV instructions of the final stage, as NAME -> value ({@code ENV NAME=value} form). */
    private static Map<String, String> finalStageEnv() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String assignment : arguments(finalStage(), "ENV")) {
            int equals = assignment.indexOf('=');
            assertTrue(equals > 0, "ENV in NAME=value form: " + assignment);
            env.put(assignment.substring(0, equals), assignment.substring(equals + 1));
        }
        return env;
    }

    @Test
    void setsOnlyConfigurationKeysTheAppKnows() throws IOException {
        Set<String> known = ConfigLoader.KEYS.stream().map(ConfigKeys.Key::envName).collect(Collectors.toSet());
        Set<String> unknown = finalStageEnv().keySet().stream().filter(k -> k.startsWith("STREAMSCRIBE_"))
                .filter(k -> !known.contains(k)).collect(Collectors.toSet());
        assertTrue(unknown.isEmpty(), "the Dockerfile sets keys the app does not know: " + unknown);
    }

    @Test
    void listensForProbesAndScrapesOnEveryInterfaceOfTheContainer() throws IOException {
        assertEquals("0.0.0.0", finalStageEnv().get("STREAMSCRIBE_OPERATIONS_HOST"));
        assertEquals(List.of("9464"), arguments(finalStage(), "EXPOSE"), "the operations port is exposed");
    }

    @Test
    void runsAsAnUnprivilegedUserThatOwnsTheStateVolume() throws IOException {
        List<Instruction> stage = finalStage();
        String stateDir = finalStageEnv().get("STREAMSCRIBE_STATE_DIR");
        List<String> users = arguments(stage, "USER");
        assertEquals(1, users.size(), "one USER in the final stage");
        String user = users.getFirst();
        assertTrue(!user.equals("root") && !user.equals("0"), "the app does not run as root");
        assertEquals(List.of(stateDir), arguments(stage, "VOLUME"), "the volume is the state directory");
        String setup = String.join(" && ", arguments(stage, "RUN"));
        assertTrue(setup.contains("useradd") && setup.contains(" " + user), "the image creates user " + user);
        assertTrue(setup.contains("mkdir -p " + stateDir), "the image creates " + stateDir);
        assertTrue(setup.contains("chown " + user + ":" + user + " " + stateDir), user + " owns " + stateDir);
        // a RUN after VOLUME that changes the volume's path is discarded: ownership has to be set before it
        int ownedAt = -1;
        for (int i = 0; i < stage.size(); i++) {
            if (stage.get(i).keyword().equals("RUN") && stage.get(i).arguments().contains("chown")) {
                ownedAt = i;
            }
        }
        assertTrue(ownedAt >= 0 && ownedAt < indexOf(stage, "VOLUME"), "the volume is declared after its ownership is set");
    }

    @Test
    void carriesFfmpegForCompressedInput() throws IOException {
        String setup = String.join(" && ", arguments(finalStage(), "RUN"));
        assertTrue(setup.matches(".*apt-get install -y --no-install-recommends [^&]*\\bffmpeg\\b.*"), setup);
        assertTrue(setup.contains("rm -rf /var/lib/apt/lists/*"), "the package lists are not kept in the image");
    }

    @Test
    void pinsEveryBaseImageToAnExactRelease() throws IOException {
        List<String> bases = arguments(instructions(), "FROM").stream().map(from -> from.split("\\s+")[0]).toList();
        assertEquals(2, bases.size(), "a build stage and a runtime stage: " + bases);
        for (String base : bases) {
            String tag = base.contains("@sha256:") ? base : base.substring(base.indexOf(':') + 1);
            assertTrue(base.contains("@sha256:") || tag.matches(".*\\d+\\.\\d+\\.\\d+.*"),
                    base + " floats: pin an exact release (or a digest)");
        }
    }

    @Test
    void downloadsDependenciesInALayerBeforeTheSourcesAndShipsTheProductionJar() throws IOException {
        List<Instruction> all = instructions();
        int goOffline = -1;
        int sources = -1;
        for (int i = 0; i < all.size(); i++) {
            String arguments = all.get(i).arguments();
            if (goOffline < 0 && all.get(i).keyword().equals("RUN") && arguments.contains("dependency:go-offline")) {
                goOffline = i;
            }
            if (sources < 0 && all.get(i).keyword().equals("COPY") && arguments.startsWith("src/main")) {
                sources = i;
            }
        }
        assertTrue(goOffline >= 0 && goOffline < sources, "dependency:go-offline runs before the sources are copied");
        assertTrue(all.get(goOffline).arguments().contains("-DexcludeArtifactIds=apicurio-registry-app"),
                "the image build does not download the registry used by tests");
        assertTrue(arguments(finalStage(), "COPY").stream().anyMatch(copy -> copy.contains("target/streamscribe.jar ")),
                "the runtime stage takes the production jar");
    }

    @Test
    void healthcheckPassesWhileTheAppIsAliveAndFailsOnceKafkaStreamsHasFailed() throws Exception {
        List<String> healthchecks = arguments(finalStage(), "HEALTHCHECK");
        assertEquals(1, healthchecks.size());
        String check = healthchecks.getFirst();
        String json = check.substring(check.indexOf("CMD") + 3).strip();
        List<String> command = List.of(new ObjectMapper().readValue(json, String[].class));
        assertEquals("bash", command.getFirst(), "the check runs under bash, which the JRE image has");

        AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.RUNNING);
        try (OperationsEndpoint endpoint = OperationsEndpoint.start(0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                state::get, List::of)) {
            assertEquals(0, run(command, endpoint.port()), "healthy while RUNNING");
            state.set(KafkaStreams.State.REBALANCING);
            assertEquals(0, run(command, endpoint.port()), "a rebalance is alive");
            state.set(KafkaStreams.State.ERROR);
            assertTrue(run(command, endpoint.port()) != 0, "unhealthy once Streams has failed");
        }
    }

    private static int run(List<String> command, int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("STREAMSCRIBE_OPERATIONS_PORT", Integer.toString(port));
        Process process = builder.start();
        process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the health check hung");
        return process.exitValue();
    }

    private static int indexOf(List<Instruction> stage, String keyword) {
        for (int i = 0; i < stage.size(); i++) {
            if (stage.get(i).keyword().equals(keyword)) {
                return i;
            }
        }
        return -1;
    }
}
