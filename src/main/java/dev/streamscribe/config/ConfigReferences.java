package dev.streamscribe.config;

import org.apache.kafka.common.config.ConfigTransformer;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.apache.kafka.common.config.provider.DirectoryConfigProvider;
import org.apache.kafka.common.config.provider.EnvVarConfigProvider;
import org.apache.kafka.common.config.provider.FileConfigProvider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Resolves Kafka's config-provider references in configuration values, with Kafka's own {@link ConfigTransformer}
 * and the three providers kafka-clients ships: {@code ${env:NAME}} (an environment variable),
 * {@code ${file:/path/app.properties:key}} (a key of a properties file) and {@code ${dir:/path:name}} (the content
 * of file {@code name} in a directory: a mounted Kubernetes Secret). A secret then lives in the environment or a
 * mounted file, never in the pipeline definition, on a command line or in a log: configuration keeps the
 * reference and resolves it where the value is used (a Kafka client's properties, the registry client, the
 * provider's Authorization header).
 *
 * <p>A reference that names one of these providers but cannot be resolved (the variable is not set, the file or
 * key does not exist) is a configuration error naming the key and the reference, never the value. Text in the
 * {@code ${...}} form with another provider name is left as it is, as Kafka does.
 */
public final class ConfigReferences {
    /** The providers references may name. */
    public static final List<String> PROVIDERS = List.of("env", "file", "dir");

    private final ConfigTransformer transformer;

    /** References resolved against {@code environment} (for {@code ${env:...}}) and this machine's files. */
    public ConfigReferences(Map<String, String> environment) {
        FileConfigProvider file = new FileConfigProvider();
        file.configure(Map.of());
        DirectoryConfigProvider dir = new DirectoryConfigProvider();
        dir.configure(Map.of());
        EnvVarConfigProvider env = new EnvVarConfigProvider(Map.copyOf(environment));
        env.configure(Map.of());
        Map<String, ConfigProvider> providers = new LinkedHashMap<>();
        providers.put("env", env);
        providers.put("file", file);
        providers.put("dir", dir);
        this.transformer = new ConfigTransformer(providers);
    }

    /** References resolved against this process's environment: what every client of a running command uses. */
    public static ConfigReferences ofProcess() {
        return new ConfigReferences(System.getenv());
    }

    /** Whether {@code value} holds a reference to one of {@link #PROVIDERS}. */
    public static boolean hasReference(String value) {
        Matcher matcher = ConfigTransformer.DEFAULT_PATTERN.matcher(value);
        while (matcher.find()) {
            if (PROVIDERS.contains(matcher.group(1))) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code value} is exactly one reference to one of {@link #PROVIDERS}, nothing around it. */
    public static boolean isReference(String value) {
        Matcher matcher = ConfigTransformer.DEFAULT_PATTERN.matcher(value.strip());
        return matcher.matches() && PROVIDERS.contains(matcher.group(1));
    }

    /** {@code value} with its references replaced; {@code key} names it in the error when one cannot be resolved. */
    public String resolve(String key, String value) {
        return resolveAll(Map.of(key, value), "").get(key);
    }

    /**
     * Every value of {@code values} with its references replaced; keys are named in errors as
     * {@code keyPrefix + key} (e.g. {@code kafka.sasl.jaas.config}).
     */
    public Map<String, String> resolveAll(Map<String, String> values, String keyPrefix) {
        Map<String, String> withReferences = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (value != null && hasReference(value)) {
                withReferences.put(key, value);
            }
        });
        if (withReferences.isEmpty()) {
            return values;
        }
        Map<String, String> resolved;
        try {
            resolved = transformer.transform(withReferences).data();
        } catch (RuntimeException e) {
            // a file or directory provider that cannot read its path; its message names the path, not a value
            String keys = String.join(", ", withReferences.keySet().stream().map(k -> keyPrefix + k).toList());
            throw new ConfigException(keyPrefix + withReferences.keySet().iterator().next(), "cannot resolve the "
                    + "config-provider reference of " + keys + ": " + e.getMessage());
        }
        Map<String, String> result = new LinkedHashMap<>(values);
        for (Map.Entry<String, String> entry : withReferences.entrySet()) {
            String value = resolved.get(entry.getKey());
            Matcher left = ConfigTransformer.DEFAULT_PATTERN.matcher(value);
            while (left.find()) {
                if (PROVIDERS.contains(left.group(1))) {
                    throw new ConfigException(keyPrefix + entry.getKey(), "configuration key '" + keyPrefix
                            + entry.getKey() + "' refers to " + left.group() + ", which " + unresolvedBecause(left)
                            + "; the value is read when the key is used, so it has to exist where streamscribe runs");
                }
            }
            result.put(entry.getKey(), value);
        }
        return result;
    }

    private static String unresolvedBecause(Matcher reference) {
        return switch (reference.group(1)) {
            case "env" -> "is not set in the environment";
            case "file" -> reference.group(3) == null
                    ? "names no file (the form is ${file:/path/to/file.properties:key})"
                    : "is not a key of " + reference.group(3);
            case "dir" -> reference.group(3) == null
                    ? "names no directory (the form is ${dir:/path/to/directory:file})"
                    : "is not a readable file in " + reference.group(3);
            default -> "cannot be resolved";
        };
    }

    /** The three reference forms, for messages. */
    static final String FORMS = "${env:NAME}, ${file:/path/to/file.properties:key} or ${dir:/path/to/directory:file}";
}
