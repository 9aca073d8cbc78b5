package dev.streamscribe.realtime.server;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The key and certificate the local realtime server presents on wss://: a PKCS12 or JKS key store. For tests of the
 * driver's certificate checks and for a local server reached over TLS; {@link #toString()} never shows the password.
 */
public record TlsIdentity(Path keyStore, String type, String password) {
    public TlsIdentity {
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "TlsIdentity[" + type + " " + keyStore + ", password=***]";
    }
}
