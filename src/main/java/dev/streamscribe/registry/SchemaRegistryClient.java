package dev.streamscribe.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamscribe.registry.SchemaRegistryException.IncompatibleSchemaException;
import dev.streamscribe.registry.SchemaRegistryException.InvalidSchemaException;
import dev.streamscribe.registry.SchemaRegistryException.RegistryAuthenticationException;
import dev.streamscribe.registry.SchemaRegistryException.RegistryUnavailableException;
import dev.streamscribe.registry.SchemaRegistryException.SchemaNotFoundException;
import dev.streamscribe.registry.SchemaRegistryException.SchemaNotRegisteredException;
import dev.streamscribe.registry.SchemaRegistryException.SubjectNotFoundException;
import dev.streamscribe.registry.SchemaRegistryException.VersionNotFoundException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A client for the Confluent Schema Registry REST API (v7), Avro only: register, lookup, get by id, compatibility
 * check and compatibility config. Works against Confluent, Apicurio's ccompat API, Karapace and Redpanda.
 * Confluent's own client is not on Maven Central, hence this small one (docs/architecture.md section 7).
 *
 * <p>Schema ids and (subject, schema) registrations are cached forever: in the Confluent model an id names one
 * immutable schema, so a cached answer can never become wrong.
 *
 * <p>Threading: thread-safe. One instance is shared by every stream thread, serde and AudioReader of a JVM; the
 * caches are concurrent maps and the JDK HttpClient is thread-safe. Calls block the caller for at most the
 * configured request timeout.
 */
public final class SchemaRegistryClient implements RegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryClientConfig config;
    private final HttpClient http;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();
    /**
     * The same ids by the schema object a serializer holds (one per record class): {@link #idFor} is called for every
     * record written, and rendering the schema's text for the lookup each time showed in the bench's profile.
     */
    private final Map<SubjectSchemaInstance, Integer> idsBySchemaInstance = new ConcurrentHashMap<>();
    private static final int MAX_SCHEMA_INSTANCES = 1_000;
    private final RegistryHealth health = new RegistryHealth();

    private record SubjectSchema(String subject, String schema) {
    }

    /** A subject and a schema object, equal only to the same object (no rendering, no deep comparison). */
    private record SubjectSchemaInstance(String subject, Schema schema) {
        @Override
        public boolean equals(Object other) {
            return other instanceof SubjectSchemaInstance that && subject.equals(that.subject) && schema == that.schema;
        }

        @Override
        public int hashCode() {
            return subject.hashCode() * 31 + System.identityHashCode(schema);
        }
    }

    public SchemaRegistryClient(RegistryClientConfig config) {
        this.config = config;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(config.requestTimeout())
                .version(HttpClient.Version.HTTP_1_1);
        config.sslContext().ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    public RegistryClientConfig config() {
        return config;
    }

    /**
     * The id under which {@code schema} is registered for {@code subject}: from the cache, else registered (when
     * auto-register is on) or looked up (when it is off).
     *
     * @throws SchemaNotRegisteredException auto-register is off and the registry does not know the schema
     * @throws IncompatibleSchemaException  the schema breaks the subject's compatibility rule
     */
    @Override
    public int idFor(String subject, Schema schema) {
        SubjectSchemaInstance instance = new SubjectSchemaInstance(subject, schema);
        Integer known = idsBySchemaInstance.get(instance);
        if (known != null) {
            return known;
        }
        SubjectSchema key = new SubjectSchema(subject, schema.toString());
        Integer cached = idsBySubjectSchema.get(key);
        int id = cached != null ? cached : throughOutages(() -> resolveId(subject, schema, key));
        if (idsBySchemaInstance.size() < MAX_SCHEMA_INSTANCES) {
            idsBySchemaInstance.put(instance, id); // bounded: a caller that parses a schema per record gains nothing
        }
        return id;
    }

    private int resolveId(String subject, Schema schema, SubjectSchema key) {
        int id;
        if (config.autoRegister()) {
            id = register(subject, schema);
        } else {
            id = lookup(subject, schema).orElseThrow(() -> new SchemaNotRegisteredException(
                    "schema " + schema.getFullName() + " is not registered under subject '" + subject
                            + "' and auto-registration is off: register it first (registry " + config.baseUrl() + ")"));
        }
        idsBySubjectSchema.put(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /** Registers {@code schema} under {@code subject} (idempotent: an identical schema gets its existing id). */
    public int register(String subject, Schema schema) {
        JsonNode body = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
                "register schema " + schema.getFullName() + " under subject '" + subject + "'");
        int id = requiredInt(body, "id", "register under subject '" + subject + "'");
        idsBySubjectSchema.put(new SubjectSchema(subject, schema.toString()), id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /** The id of {@code schema} under {@code subject} if it is registered there; empty otherwise. */
    public OptionalInt lookup(String subject, Schema schema) {
        try {
            JsonNode body = send("POST", "/subjects/" + encode(subject), schemaBody(schema),
                    "look up schema " + schema.getFullName() + " under subject '" + subject + "'");
            return OptionalInt.of(requiredInt(body, "id", "look up under subject '" + subject + "'"));
        } catch (SubjectNotFoundException | SchemaNotFoundException notThere) {
            return OptionalInt.empty();
        }
    }

    /**
     * The writer schema registered with {@code id}.
     *
     * @throws SchemaNotFoundException the registry has no schema with this id (40403)
     */
    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        return throughOutages(() -> fetchSchema(id));
    }

    /**
     * Runs {@code call}, retrying with exponential backoff (250 ms up to 5 s) while the registry is unavailable,
     * for at most the configured outage budget; then the last RegistryUnavailableException propagates. Bad answers
     * (unknown id, incompatible schema) are never retried.
     */
    private <T> T throughOutages(Supplier<T> call) {
        long deadline = System.nanoTime() + config.outageBudget().toNanos();
        long backoffMs = 250;
        boolean waiting = false;
        try {
            while (true) {
                try {
                    return call.get();
                } catch (RegistryUnavailableException outage) {
                    if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs) > deadline) {
                        throw outage;
                    }
                    if (!waiting) {
                        waiting = true;
                        health.waitStarted();
                    }
                    try {
                        Thread.sleep(backoffMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw outage;
                    }
                    backoffMs = Math.min(5_000, backoffMs * 2);
                }
            }
        } finally {
            if (waiting) {
                health.waitEnded();
            }
        }
    }

    /**
     * One request, no retry: why the registry cannot be used right now, or empty when it answers (an error of its own
     * counts as an answer). For {@code status}, which would otherwise wait on every record.
     */
    public Optional<String> unreachable() {
        try {
            send("GET", "/subjects", null, "list subjects");
            return Optional.empty();
        } catch (RegistryUnavailableException outage) {
            return Optional.of(outage.getMessage());
        } catch (SchemaRegistryException answered) {
            return Optional.empty();
        }
    }

    /** What the client has seen of the registry: an outage in progress, callers waiting through it. */
    public RegistryHealth health() {
        return health;
    }

    private Schema fetchSchema(int id) {
        JsonNode body = send("GET", "/schemas/ids/" + id, null, "fetch schema id " + id);
        JsonNode text = body.get("schema");
        if (text == null || !text.isTextual()) {
            throw new SchemaRegistryException("registry answer for schema id " + id + " has no 'schema' field",
                    200, -1);
        }
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new InvalidSchemaException("schema id " + id + " is of type " + type + ", not AVRO", 200, -1);
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text.asText());
        } catch (SchemaParseException e) {
            throw new InvalidSchemaException("schema id " + id + " is not valid Avro: " + e.getMessage(), 200, -1);
        }
        schemasById.putIfAbsent(id, schema);
        return schema;
    }

    /** Whether {@code schema} may be registered as the next version of {@code subject}; true for a new subject. */
    public boolean isCompatible(String subject, Schema schema) {
        try {
            JsonNode body = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest",
                    schemaBody(schema), "check compatibility of " + schema.getFullName() + " with subject '" + subject + "'");
            JsonNode flag = body.get("is_compatible");
            if (flag == null || !flag.isBoolean()) {
                throw new SchemaRegistryException("compatibility answer for subject '" + subject
                        + "' has no boolean 'is_compatible'", 200, -1);
            }
            return flag.asBoolean();
        } catch (SubjectNotFoundException | VersionNotFoundException newSubject) {
            return true;
        }
    }

    /** The global compatibility level. */
    public CompatibilityLevel globalCompatibility() {
        JsonNode body = send("GET", "/config", null, "read global compatibility");
        String level = body.path("compatibilityLevel").asText(body.path("compatibility").asText(""));
        try {
            return CompatibilityLevel.valueOf(level);
        } catch (IllegalArgumentException e) {
            throw new SchemaRegistryException("registry reported unknown compatibility level '" + level + "'", 200, -1);
        }
    }

    /** All subjects. */
    public List<String> subjects() {
        JsonNode body = send("GET", "/subjects", null, "list subjects");
        List<String> subjects = new ArrayList<>();
        body.forEach(node -> subjects.add(node.asText()));
        return subjects;
    }

    private static ObjectNode schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString());
    }

    private static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static int requiredInt(JsonNode body, String field, String what) {
        JsonNode node = body.get(field);
        if (node == null || !node.canConvertToInt()) {
            throw new SchemaRegistryException("registry answer to '" + what + "' has no integer '" + field + "'", 200, -1);
        }
        return node.asInt();
    }

    /** One call; what it shows of the registry's health is recorded in {@link #health()}. */
    private JsonNode send(String method, String path, JsonNode body, String what) {
        try {
            JsonNode answer = exchange(method, path, body, what);
            health.answered();
            return answer;
        } catch (RegistryUnavailableException outage) {
            health.failed(outage.getMessage(), Instant.now());
            throw outage;
        } catch (SchemaRegistryException answeredAsARegistry) {
            health.answered(); // a registry's own error (unknown id, incompatible schema): it is up
            throw answeredAsARegistry;
        }
    }

    private JsonNode exchange(String method, String path, JsonNode body, String what) {
        URI uri = URI.create(config.baseUrl() + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(config.requestTimeout())
                .header("Accept", CONTENT_TYPE + ", application/json");
        config.authorization().ifPresent(credentials -> request.header("Authorization", credentials.authorizationHeader()));
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
            request.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new RegistryUnavailableException("schema registry " + config.baseUrl() + " did not answer within "
                    + config.requestTimeout().toMillis() + " ms to: " + what, -1, -1, e);
        } catch (IOException e) {
            throw new RegistryUnavailableException("schema registry " + config.baseUrl() + " is unreachable ("
                    + e.getClass().getSimpleName() + ") for: " + what, -1, -1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("interrupted while waiting for schema registry " + config.baseUrl()
                    + " to: " + what, -1, -1, e);
        }
        JsonNode json = parse(response.body());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            if (json == null) {
                // a proxy's login page or a wrong URL answering 200: the registry is not reachable as such
                throw new RegistryUnavailableException("schema registry " + config.baseUrl() + " answered '" + what
                        + "' with a body that is not JSON (a proxy or a wrong URL?)", status, -1, null);
            }
            return json;
        }
        throw failure(status, json, what);
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    private SchemaRegistryException failure(int status, JsonNode json, String what) {
        int code = json == null ? status : json.path("error_code").asInt(status);
        String detail = json == null ? "" : json.path("message").asText("");
        String message = "schema registry refused to " + what + ": HTTP " + status + ", error " + code
                + (detail.isEmpty() ? "" : " (" + detail + ")");
        if (status == 401 || status == 403) {
            return new RegistryAuthenticationException(message + "; check the registry credentials", status, code);
        }
        if (status >= 500 || status == 408 || status == 429) {
            return new RegistryUnavailableException(message, status, code, null);
        }
        if (json == null || !json.has("error_code")) {
            // every Confluent-API registry answers errors with an error_code: this answer came from something else
            return new RegistryUnavailableException(message + "; the answer is not a schema registry's (a proxy or a "
                    + "wrong URL?)", status, code, null);
        }
        return switch (code) {
            case 40401 -> new SubjectNotFoundException(message, status, code);
            case 40402 -> new VersionNotFoundException(message, status, code);
            case 40403 -> new SchemaNotFoundException(message, status, code);
            case 409, 40901 -> new IncompatibleSchemaException(message, status, code);
            default -> {
                if (status == 409) {
                    yield new IncompatibleSchemaException(message, status, code);
                }
                if (status == 422 || (code >= 42200 && code < 42300)) {
                    yield new InvalidSchemaException(message, status, code);
                }
                yield new SchemaRegistryException(message, status, code);
            }
        };
    }

    /** For logs: the registry this client talks to, never its credentials. */
    @Override
    public String toString() {
        return "SchemaRegistryClient[" + config.baseUrl() + config.authorization().map(a -> ", " + a).orElse("")
                + ", autoRegister=" + config.autoRegister() + "]";
    }

    /** Exposed for tests: whether the id is cached (no network call would be made). */
    boolean isCached(int id) {
        return schemasById.containsKey(id);
    }
}
