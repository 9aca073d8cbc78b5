package dev.streamscribe.realtime;

import dev.streamscribe.config.ConfigReferences;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A provider API key. Its value leaves this object only through {@link #reveal()}, which the transport calls to
 * build the Authorization header; {@link #toString()}, exceptions and logs never show it.
 */
public final class ApiKey {
    private final String value;
    private final String source;

    private ApiKey(String value, String source) {
        this.value = value;
        this.source = source;
    }

    /** For tests and programmatic callers; {@code source} describes where it came from (never the value). */
    public static ApiKey of(String value, String source) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the API key from " + source + " is empty");
        }
        return new ApiKey(value.strip(), source);
    }

    /**
     * The key from {@code file} (wins) or from the environment variable {@code envName}; empty when neither is set
     * (a local server needs no key).
     *
     * @throws IllegalArgumentException the file cannot be read or is empty (the message names the file, not the key)
     */
    public static Optional<ApiKey> resolve(Optional<Path> file, Optional<String> envName, Map<String, String> env) {
        return resolve(Optional.empty(), file, envName, env);
    }

    /**
     * The key from a config-provider {@code reference} such as {@code ${dir:/var/run/secrets/openai:api-key}} (wins;
     * resolved against {@code env} and this machine's files), else as {@link #resolve(Optional, Optional, Map)}.
     *
     * @throws dev.streamscribe.config.ConfigException the reference cannot be resolved (naming it, not the key)
     */
    public static Optional<ApiKey> resolve(Optional<String> reference, Optional<Path> file, Optional<String> envName,
                                           Map<String, String> env) {
        if (reference.isPresent()) {
            String value = new ConfigReferences(env).resolve("realtime.api-key", reference.get());
            return Optional.of(of(value, "reference " + reference.get()));
        }
        if (file.isPresent()) {
            try {
                return Optional.of(of(Files.readString(file.get(), StandardCharsets.UTF_8), "file " + file.get()));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the API key file " + file.get() + ": "
                        + e.getClass().getSimpleName());
            }
        }
        return envName.map(env::get).filter(v -> !v.isBlank())
                .map(v -> of(v, "environment variable " + envName.get()));
    }

    /** The secret itself, for the Authorization header only. */
    public String reveal() {
        return value;
    }

    /** Where the key came from, e.g. "environment variable OPENAI_API_KEY". */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "ApiKey[from " + source + ", value=***]";
    }
}
