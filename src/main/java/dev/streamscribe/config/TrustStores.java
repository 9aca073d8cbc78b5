package dev.streamscribe.config;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/**
 * Opens a configured {@link PipelineConfig.TrustStore} as the {@link SSLContext} of the registry's or the
 * provider's client: certificates are then verified against it (and host names checked) instead of the JDK's
 * default trust store. Failures name the key and the file, never the password.
 */
public final class TrustStores {
    private TrustStores() {
    }

    /** An SSLContext trusting exactly what {@code store} holds; {@code key} (e.g. realtime.truststore) names it in errors. */
    public static SSLContext sslContext(String key, PipelineConfig.TrustStore store, ConfigReferences references) {
        char[] password = store.password().map(p -> references.resolve(key + ".password", p).toCharArray()).orElse(null);
        KeyStore keyStore;
        try (InputStream in = Files.newInputStream(store.location())) {
            keyStore = KeyStore.getInstance(store.type());
            keyStore.load(in, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(key + ".location", "cannot open the " + store.type() + " truststore "
                    + store.location() + " (" + key + ".location): " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + " (a wrong " + key + ".password or "
                    + key + ".type?)");
        }
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(keyStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new ConfigException(key + ".location", "cannot use the truststore " + store.location() + ": "
                    + e.getMessage());
        }
    }
}
