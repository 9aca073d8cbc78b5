package dev.streamscribe.registry;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to load classes outside a trusted list, when decoding into specific records and even when a
 * builder fills in an enum default. Our generated classes live in {@code dev.streamscribe}; trust that package,
 * and only that, in addition to Avro's defaults. Called by {@code main} and by the serdes; tests get the same
 * through the {@code org.apache.avro.SERIALIZABLE_PACKAGES} system property that the build sets.
 */
public final class AvroTrust {
    private static boolean installed;

    private AvroTrust() {
    }

    public static synchronized void install() {
        if (installed) {
            return;
        }
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                ClassSecurityValidator.getGlobal(),
                type -> type.getName().startsWith("dev.streamscribe.")));
        installed = true;
    }
}
