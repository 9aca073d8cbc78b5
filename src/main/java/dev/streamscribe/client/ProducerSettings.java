package dev.streamscribe.client;

import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.config.PipelineConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * A producer's configuration: the pipeline's own keys ({@link ConfigLoader#fromMap}), except that
 * {@code realtime.url} may be left out, since only the pipeline talks to the provider; a producer still reads
 * {@code realtime.dialect} to check its configs. A missing URL reads as {@link #URL_NOT_USED_BY_PRODUCERS}, which
 * nothing connects to.
 */
public final class ProducerSettings {
    /** What a producer's configuration holds for the provider's URL when it names none: loopback, discard port. */
    public static final String URL_NOT_USED_BY_PRODUCERS = "ws://127.0.0.1:9/not-used-by-producers";

    private ProducerSettings() {
    }

    /** @throws dev.streamscribe.config.ConfigException a setting is unknown or invalid */
    public static PipelineConfig load(Map<String, String> settings, Map<String, String> env) {
        Map<String, String> withUrl = new HashMap<>(settings);
        if (!settings.containsKey("realtime.url") && !env.containsKey(ConfigLoader.envNameOf("realtime.url"))) {
            withUrl.put("realtime.url", URL_NOT_USED_BY_PRODUCERS);
        }
        return ConfigLoader.fromMap(withUrl, env);
    }
}
