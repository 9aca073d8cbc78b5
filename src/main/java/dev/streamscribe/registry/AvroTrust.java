package dev.streamscribe.registry;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate classes outside a trusted list when decoding into specific records. Our
 * generated classes live in {@code dev.streamscribe}; trust that package, and only that, in addition to Avro's
 * defaults.
 */
final class AvroTrust {
    private static boolean installed;

    private AvroTrust() {
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                ClassSecurityValidator.getGlobal(),
                type -> type.getName().startsWith("dev.streamscribe.")));
        installed = true;
    }
}
