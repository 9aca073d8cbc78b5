package dev.streamscribe.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/** HTTP basic-auth credentials for the registry. {@link #toString()} never shows the password. */
public record BasicCredentials(String username, String password) implements RegistryClientConfig.Authorization {
    public BasicCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /**
     * Parses Confluent's {@code basic.auth.user.info} form, {@code user:password}.
     *
     * @throws IllegalArgumentException when there is no colon (the message never echoes the value)
     */
    public static BasicCredentials parseUserInfo(String userInfo) {
        int colon = userInfo.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("registry user info must have the form user:password");
        }
        return new BasicCredentials(userInfo.substring(0, colon), userInfo.substring(colon + 1));
    }

    @Override
    public String authorizationHeader() {
        String token = Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        return "Basic " + token;
    }

    @Override
    public String toString() {
        return "BasicCredentials[username=" + username + ", password=***]";
    }
}
