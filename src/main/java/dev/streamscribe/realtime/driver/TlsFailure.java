package dev.streamscribe.realtime.driver;

import javax.net.ssl.SSLException;
import java.net.URI;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Optional;

/**
 * Says in an operator's words why a wss:// connection's TLS handshake failed: the provider's certificate is not
 * trusted (what to configure), or it does not name the host in realtime.url. The JDK's own words follow in
 * parentheses, since they are what a search finds.
 */
final class TlsFailure {
    private TlsFailure() {
    }

    /** The explanation, when {@code error} (or a cause) is a TLS failure. */
    static Optional<String> explain(Throwable error, URI url) {
        SSLException tls = null;
        CertificateException certificate = null;
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (tls == null && cause instanceof SSLException ssl) {
                tls = ssl;
            }
            if (certificate == null && cause instanceof CertificateException cert) {
                certificate = cert;
            }
        }
        if (tls == null) {
            return Optional.empty();
        }
        String jdk = String.valueOf(certificate != null ? certificate.getMessage() : tls.getMessage());
        String lower = jdk.toLowerCase(Locale.ROOT);
        if (lower.contains("subject alternative") || lower.contains("no name matching")) {
            return Optional.of("TLS handshake failed: the server's certificate does not name " + url.getHost()
                    + " (check the host in realtime.url) (" + jdk + ")");
        }
        if (lower.contains("pkix") || lower.contains("certification path") || lower.contains("not trusted")) {
            return Optional.of("TLS handshake failed: the server's certificate is not trusted (set "
                    + "realtime.truststore.location to a truststore holding its issuer) (" + jdk + ")");
        }
        return Optional.of("TLS handshake failed (" + tls.getClass().getSimpleName() + ": " + jdk + ")");
    }
}
