package dev.streamscribe.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamscribe.config.ConfigException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The prices of provider models: the bundled table ({@code pricing/prices.json} in the jar), or an operator's file
 * ({@code pricing.file}) in the same format. Every entry is checked when the table is read, so a malformed or
 * negative entry fails start-up with a message naming it, never a cost computed from it later. A model the table
 * does not know has no price: its cost is unknown, never zero. Immutable.
 *
 * <p>Format 1: {@code {"format": 1, "currency": "USD", "prices": [{"provider", "model", "billing": "DURATION" |
 * "TOKENS", rates..., "source", "asOf": "YYYY-MM-DD"}]}}; DURATION needs {@code perMinute} (and may give
 * {@code roundUpSeconds}, default 1), TOKENS needs {@code audioInputPerMillion}, {@code textInputPerMillion} and
 * {@code textOutputPerMillion} (and may give {@code cachedInputPerMillion}, {@code audioOutputPerMillion},
 * {@code estimatedPerMinute}). Unknown fields are refused: a misspelt rate would otherwise price at zero.
 */
public final class PriceTable {
    /** The format this build reads. */
    public static final int FORMAT = 1;
    private static final String BUNDLED = "/pricing/prices.json";
    private static final String KEY = "pricing.file";
    private static final Set<String> FIELDS = Set.of("provider", "model", "billing", "perMinute", "roundUpSeconds",
            "audioInputPerMillion", "textInputPerMillion", "cachedInputPerMillion", "textOutputPerMillion",
            "audioOutputPerMillion", "estimatedPerMinute", "source", "asOf");

    private final String currency;
    private final String origin;
    private final Map<String, Price> prices;

    private PriceTable(String currency, String origin, Map<String, Price> prices) {
        this.currency = currency;
        this.origin = origin;
        this.prices = Map.copyOf(prices);
    }

    /** A table that prices nothing: every model's cost is unknown. */
    public static PriceTable empty(String currency) {
        return new PriceTable(currency, "an empty price table", Map.of());
    }

    /** The table bundled with this build. */
    public static PriceTable bundled() {
        try (InputStream in = PriceTable.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException("the bundled price table " + BUNDLED + " is missing from the jar");
            }
            return parse(in.readAllBytes(), "the bundled price table");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The operator's table in {@code file} ({@code pricing.file}). */
    public static PriceTable load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(KEY, KEY + ": cannot read " + file + " (" + e.getMessage() + ")");
        }
        return parse(bytes, KEY + " " + file);
    }

    /** The table of {@code pricing.file} when it is set, else the bundled one. */
    public static PriceTable of(Optional<Path> file) {
        return file.map(PriceTable::load).orElseGet(PriceTable::bundled);
    }

    static PriceTable parse(byte[] json, String origin) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(KEY, origin + " is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(KEY, origin + " cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(KEY, origin + " must be a JSON object with format, currency and prices");
        }
        if (root.path("format").asInt(-1) != FORMAT) {
            throw new ConfigException(KEY, origin + " has format " + root.path("format") + "; this build reads format "
                    + FORMAT);
        }
        String currency = root.path("currency").asText("");
        if (!currency.matches("[A-Z]{3}")) {
            throw new ConfigException(KEY, origin + ": currency must be an ISO 4217 code such as USD, got '" + currency
                    + "'");
        }
        JsonNode entries = root.path("prices");
        if (!entries.isArray()) {
            throw new ConfigException(KEY, origin + ": prices must be a list");
        }
        Map<String, Price> prices = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            Price price = entry(entries.get(i), origin + " prices[" + i + "]");
            if (prices.putIfAbsent(key(price.provider(), price.model()), price) != null) {
                throw new ConfigException(KEY, origin + " prices[" + i + "] (" + price.provider() + "/" + price.model()
                        + ") prices a model an earlier entry already prices");
            }
        }
        return new PriceTable(currency, origin, prices);
    }

    private static Price entry(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new ConfigException(KEY, where + " must be an object");
        }
        String provider = text(node, "provider", where);
        String model = text(node, "model", where);
        String named = where + " (" + provider + "/" + model + ")";
        node.fieldNames().forEachRemaining(field -> {
            if (!FIELDS.contains(field)) {
                throw new ConfigException(KEY, named + " has an unknown field '" + field + "'; allowed: "
                        + String.join(", ", List.copyOf(new java.util.TreeSet<>(FIELDS))));
            }
        });
        Price.Billing billing;
        try {
            billing = Price.Billing.valueOf(text(node, "billing", named).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(KEY, named + ": billing must be DURATION or TOKENS, got '"
                    + node.path("billing").asText() + "'");
        }
        LocalDate asOf;
        try {
            asOf = LocalDate.parse(text(node, "asOf", named));
        } catch (DateTimeParseException e) {
            throw new ConfigException(KEY, named + ": asOf must be a date such as 2026-04-25, got '"
                    + node.path("asOf").asText() + "'");
        }
        String source = text(node, "source", named);
        boolean duration = billing == Price.Billing.DURATION;
        double perMinute = rate(node, "perMinute", named, duration);
        int roundUpSeconds = node.has("roundUpSeconds") ? (int) rate(node, "roundUpSeconds", named, false) : 1;
        double audioIn = rate(node, "audioInputPerMillion", named, !duration);
        double textIn = rate(node, "textInputPerMillion", named, !duration);
        double cachedIn = rate(node, "cachedInputPerMillion", named, false);
        double textOut = rate(node, "textOutputPerMillion", named, !duration);
        double audioOut = rate(node, "audioOutputPerMillion", named, false);
        OptionalDouble estimated = node.has("estimatedPerMinute")
                ? OptionalDouble.of(rate(node, "estimatedPerMinute", named, true)) : OptionalDouble.empty();
        return new Price(provider, model, billing, perMinute, roundUpSeconds, audioIn, textIn, cachedIn, textOut,
                audioOut, estimated, source, asOf);
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new ConfigException(KEY, where + ": " + field + " is missing or not a non-empty string");
        }
        return value.asText();
    }

    private static double rate(JsonNode node, String field, String where, boolean required) {
        JsonNode value = node.get(field);
        if (value == null) {
            if (required) {
                throw new ConfigException(KEY, where + ": " + field + " is missing (its billing needs it)");
            }
            return 0;
        }
        if (!value.isNumber() || !Double.isFinite(value.asDouble()) || value.asDouble() < 0) {
            throw new ConfigException(KEY, where + ": " + field + " must be a number >= 0, got " + value);
        }
        return value.asDouble();
    }

    private static String key(String provider, String model) {
        return provider + "\u0000" + model;
    }

    /** The price of {@code model} at {@code provider}, if the table knows it. */
    public Optional<Price> find(String provider, String model) {
        return Optional.ofNullable(prices.get(key(provider, model)));
    }

    public String currency() {
        return currency;
    }

    /** Where the table came from: "the bundled price table", or "pricing.file" and the operator's file. */
    public String origin() {
        return origin;
    }

    public int size() {
        return prices.size();
    }
}
