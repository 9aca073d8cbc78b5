package dev.streamscribe.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Key stores and truststores made for one test run with the JDK's keytool (no library, no file checked in): a
 * server identity for 127.0.0.1 and localhost, one for another host name only, and a truststore that trusts
 * both. Elliptic-curve keys, so generating them takes well under a second each.
 *
 * @param server     PKCS12 key store: certificate for localhost and 127.0.0.1
 * @param otherHost  PKCS12 key store: certificate for elsewhere.invalid only (a name mismatch on 127.0.0.1)
 * @param trustStore PKCS12 truststore holding both certificates
 * @param password   the password of all three (a test value)
 */
public record TestCertificates(Path server, Path otherHost, Path trustStore, String password) {
    public static final String PASSWORD = "test-store-password";

    /** Makes all three in {@code dir}. */
    public static TestCertificates create(Path dir) {
        Path server = dir.resolve("server.p12");
        Path other = dir.resolve("other-host.p12");
        Path trust = dir.resolve("truststore.p12");
        identity(server, "localhost", "SAN=dns:localhost,ip:127.0.0.1");
        identity(other, "elsewhere.invalid", "SAN=dns:elsewhere.invalid");
        trust(server, "server", trust, dir.resolve("server.pem"));
        trust(other, "other", trust, dir.resolve("other.pem"));
        return new TestCertificates(server, other, trust, PASSWORD);
    }

    private static void identity(Path store, String commonName, String names) {
        keytool("-genkeypair", "-alias", "key", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=" + commonName, "-ext", names, "-validity", "7", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
    }

    private static void trust(Path identity, String alias, Path trustStore, Path pem) {
        keytool("-exportcert", "-alias", "key", "-keystore", identity.toString(), "-storepass", PASSWORD, "-rfc",
                "-file", pem.toString());
        keytool("-importcert", "-noprompt", "-alias", alias, "-file", pem.toString(), "-keystore", trustStore.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD);
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run keytool: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
