package dev.streamscribe.config;

/** Configuration is invalid; the message names the key, the value's source and the allowed values. */
public final class ConfigException extends RuntimeException {
    private final String key;

    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The configuration key at fault. */
    public String key() {
        return key;
    }
}
