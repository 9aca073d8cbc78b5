package dev.streamscribe.realtime;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The wire dialects of OpenAI-Realtime-compatible providers that streamscribe speaks (docs/protocol.md sections 1-3). */
public enum Dialect {
    /** OpenAI Realtime GA: session.type on every update, audio.input.* fields, GA event names. */
    OPENAI_GA("openai-ga", "openai"),
    /** OpenAI Realtime beta (header OpenAI-Beta: realtime=v1): flat field names, beta event names, conversation sessions only. */
    OPENAI_BETA("openai-beta", "openai"),
    /** Inworld Realtime: GA shape, Basic auth, key and protocol=realtime query parameters, no session.created. */
    INWORLD("inworld", "inworld");

    private final String id;
    private final String vendor;

    Dialect(String id, String vendor) {
        this.id = id;
        this.vendor = vendor;
    }

    /** Who bills for sessions in this dialect: the provider name of the price table (docs/operations.md section 7). */
    public String vendor() {
        return vendor;
    }

    /** The name used in configuration and records, e.g. {@code openai-ga}. */
    public String id() {
        return id;
    }

    public static Optional<Dialect> fromId(String id) {
        return Arrays.stream(values()).filter(d -> d.id.equals(id)).findFirst();
    }

    /** The allowed names, for error messages. */
    public static String allowed() {
        return Arrays.stream(values()).map(Dialect::id).collect(Collectors.joining(", "));
    }
}
