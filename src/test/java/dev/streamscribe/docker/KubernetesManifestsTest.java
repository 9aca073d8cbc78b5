package dev.streamscribe.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.streamscribe.config.ConfigKeys;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.ConfigReferences;
import dev.streamscribe.config.PipelineConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * There is no cluster here, so deploy/kubernetes/ is read into Kubernetes' own object model (fabric8's
 * kubernetes-model) and checked strictly: every field must be one the model knows (the model classes would keep
 * an unknown or misspelt field silently in additionalProperties, so the whole object graph is walked for them),
 * and the manifests must say what running streamscribe needs: static membership from the pod name, a persistent
 * state volume, probes on /health and /ready, Prometheus annotations, the API key from a mounted Secret through
 * the directory config provider, and memory sized from the bench's measured heap.
 */
class KubernetesManifestsTest {
    private static final Path ROOT = Path.of(System.getProperty("streamscribe.project.dir", "."));
    private static final Path DIR = ROOT.resolve("deploy/kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static <T extends HasMetadata> T read(String file, Class<T> type) {
        try {
            T resource = YAML.readValue(DIR.resolve(file).toFile(), type);
            List<String> unknown = new ArrayList<>();
            unknownFields(resource, type.getSimpleName(), unknown, new IdentityHashMap<>());
            assertEquals(List.of(), unknown, file + " has fields Kubernetes does not know");
            return resource;
        } catch (IOException e) {
            throw new AssertionError(file + " is not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Every non-empty additionalProperties in the graph of fabric8 model objects under {@code node}. */
    private static void unknownFields(Object node, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (node == null || seen.put(node, true) != null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> unknownFields(value, path + "." + key, unknown, seen));
            return;
        }
        if (!node.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
                continue;
            }
            String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
            unknownFields(value, path + "." + field, unknown, seen);
        }
    }

    private static StatefulSet statefulSet() {
        return read("statefulset.yaml", StatefulSet.class);
    }

    private static Container app() {
        List<Container> containers = statefulSet().getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size());
        return containers.getFirst();
    }

    private static Map<String, EnvVar> env() {
        return app().getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    }

    @Test
    void everyManifestIsAKubernetesObjectWithNoUnknownField() {
        assertEquals("StatefulSet", statefulSet().getKind());
        assertEquals("Service", read("service.yaml", Service.class).getKind());
        assertEquals("PodDisruptionBudget", read("poddisruptionbudget.yaml", PodDisruptionBudget.class).getKind());
    }

    @Test
    void strictReadingCatchesAMisspeltField() throws IOException {
        String misspelt = Files.readString(DIR.resolve("service.yaml")).replace("clusterIP:", "clusterIp:");
        Service service = YAML.readValue(misspelt, Service.class);
        List<String> unknown = new ArrayList<>();
        unknownFields(service, "Service", unknown, new IdentityHashMap<>());
        assertEquals(List.of("Service.spec: [clusterIp]"), unknown);

        String deep = Files.readString(DIR.resolve("statefulset.yaml")).replace("failureThreshold: 1", "failureTreshold: 1");
        List<String> deepUnknown = new ArrayList<>();
        unknownFields(YAML.readValue(deep, StatefulSet.class), "StatefulSet", deepUnknown, new IdentityHashMap<>());
        assertEquals(List.of("StatefulSet.spec.template.spec.containers[0].readinessProbe: [failureTreshold]"), deepUnknown);
    }

    @Test
    void kustomizationListsEveryManifest() throws IOException {
        JsonNode kustomization = YAML.readTree(DIR.resolve("kustomization.yaml").toFile());
        List<String> listed = new ArrayList<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        try (var files = Files.list(DIR)) {
            Set<String> manifests = files.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml") && !name.equals("kustomization.yaml"))
                    .collect(Collectors.toSet());
            assertEquals(manifests, Set.copyOf(listed));
        }
    }

    @Test
    void eachPodIsAStaticMemberNamedAfterItself() {
        EnvVar instance = env().get(ConfigLoader.envNameOf("instance.id"));
        assertEquals("metadata.name", instance.getValueFrom().getFieldRef().getFieldPath());
        Service service = read("service.yaml", Service.class);
        assertEquals(service.getMetadata().getName(), statefulSet().getSpec().getServiceName());
        assertEquals("None", service.getSpec().getClusterIP(), "headless: stable pod names");
    }

    @Test
    void keepsEachInstancesStateOnAPersistentVolumeItsUserCanWrite() {
        StatefulSet set = statefulSet();
        String stateDir = env().get(ConfigLoader.envNameOf("state.dir")).getValue();
        VolumeMount mount = app().getVolumeMounts().stream().filter(m -> m.getMountPath().equals(stateDir))
                .findFirst().orElseThrow(() -> new AssertionError("nothing is mounted at state.dir " + stateDir));
        assertTrue(set.getSpec().getVolumeClaimTemplates().stream()
                .anyMatch(claim -> claim.getMetadata().getName().equals(mount.getName())), "a claim per pod");
        PodSpec pod = set.getSpec().getTemplate().getSpec();
        assertEquals(10001L, pod.getSecurityContext().getRunAsUser(), "the image's user (docker/Dockerfile)");
        assertEquals(10001L, pod.getSecurityContext().getFsGroup(), "the volume is writable for it");
    }

    @Test
    void probesLivenessOnHealthAndReadinessOnReadyAtTheOperationsPort() {
        Container app = app();
        int port = Integer.parseInt(env().getOrDefault(ConfigLoader.envNameOf("operations.port"),
                new EnvVar("", "9464", null)).getValue());
        assertEquals(port, app.getPorts().getFirst().getContainerPort());
        String portName = app.getPorts().getFirst().getName();
        assertEquals("/health", app.getLivenessProbe().getHttpGet().getPath());
        assertEquals(portName, app.getLivenessProbe().getHttpGet().getPort().getStrVal());
        assertEquals("/ready", app.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/health", app.getStartupProbe().getHttpGet().getPath());
        assertEquals("0.0.0.0", env().get(ConfigLoader.envNameOf("operations.host")).getValue());
        Map<String, String> annotations = statefulSet().getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(String.valueOf(port), annotations.get("prometheus.io/port"));
        assertEquals("/metrics", annotations.get("prometheus.io/path"));
    }

    @Test
    void readsTheApiKeyFromAMountedSecretThroughTheDirectoryProvider() {
        String reference = env().get(ConfigLoader.envNameOf("realtime.api-key")).getValue();
        assertTrue(ConfigReferences.isReference(reference), reference);
        Matcher parts = java.util.regex.Pattern.compile("\\$\\{dir:(.+):(.+)}").matcher(reference);
        assertTrue(parts.matches(), reference);
        VolumeMount mount = app().getVolumeMounts().stream().filter(m -> m.getMountPath().equals(parts.group(1)))
                .findFirst().orElseThrow(() -> new AssertionError("no volume at " + parts.group(1)));
        assertTrue(mount.getReadOnly());
        var volume = statefulSet().getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        assertTrue(volume.getSecret().getItems().stream().anyMatch(item -> item.getPath().equals(parts.group(2))),
                "the Secret's key is a file of that name");
    }

    @Test
    void setsOnlyKeysTheAppKnowsAndAValidConfigurationWithThem() throws IOException {
        Set<String> known = ConfigLoader.KEYS.stream().map(ConfigKeys.Key::envName).collect(Collectors.toSet());
        Map<String, String> values = new HashMap<>();
        for (EnvVar var : app().getEnv()) {
            assertTrue(!var.getName().startsWith("STREAMSCRIBE_") || known.contains(var.getName()), var.getName());
            values.put(var.getName(), var.getValue() == null ? "streamscribe-0" : var.getValue());
        }
        Properties defaults = new Properties();
        try (var reader = Files.newBufferedReader(ROOT.resolve("topologies/transcribe.properties"))) {
            defaults.load(reader);
        }
        Map<String, String> settings = new HashMap<>();
        defaults.stringPropertyNames().forEach(k -> settings.put(k, defaults.getProperty(k)));
        // the Secret is not here: the reference must only be well-formed, which the loader checks when resolving
        settings.put("realtime.api-key", "");
        values.remove(ConfigLoader.envNameOf("realtime.api-key"));
        PipelineConfig config = ConfigLoader.fromMap(settings, values);
        assertEquals("wss", config.realtime().url().getScheme());
        assertTrue(statefulSet().getSpec().getReplicas() <= config.kafka().topicPartitions(),
                "more instances than partitions would sit idle");
    }

    @Test
    void givesTheHeapRoomForWhatTheBenchMeasured() {
        Quantity limit = app().getResources().getLimits().get("memory");
        BigDecimal bytes = Quantity.getAmountInBytes(limit);
        // the image's -XX:MaxRAMPercentage=75; the bench's pipeline ran in -Xmx512m with a 286 MiB peak at 1,000 sessions
        BigDecimal heap = bytes.multiply(BigDecimal.valueOf(0.75));
        assertTrue(heap.compareTo(BigDecimal.valueOf(512L * 1024 * 1024)) >= 0, "heap " + heap + " bytes");
        assertEquals(limit, app().getResources().getRequests().get("memory"), "memory requested as limited: no OOM kill on a busy node");
        assertTrue(statefulSet().getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() > 30,
                "longer than shutdown.drain-timeout-ms (30 s), so sessions in flight finish");
    }

    @Test
    void disruptionBudgetAndServiceSelectTheStatefulSetsPods() {
        Map<String, String> labels = statefulSet().getSpec().getTemplate().getMetadata().getLabels();
        assertEquals(statefulSet().getSpec().getSelector().getMatchLabels(), labels);
        PodDisruptionBudget budget = read("poddisruptionbudget.yaml", PodDisruptionBudget.class);
        assertEquals(labels, budget.getSpec().getSelector().getMatchLabels());
        assertEquals(labels, read("service.yaml", Service.class).getSpec().getSelector());
    }
}
