package dev.streamscribe.config;

import dev.streamscribe.cost.Budget;
import dev.streamscribe.realtime.Dialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    private static final Path DEFAULT_FILE = Path.of(System.getProperty("streamscribe.project.dir", "."))
            .resolve("topologies/transcribe.properties");

    /** The three required keys, pointing at loopback; a fresh mutable map each call. */
    static Map<String, String> minimal() {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", "127.0.0.1:9092");
        settings.put("schema.registry.url", "http://127.0.0.1:8081");
        settings.put("realtime.url", "ws://127.0.0.1:8765/v1/realtime");
        return settings;
    }

    @Test
    void shouldLoadTheShippedPipelineDefinition() {
        PipelineConfig config = ConfigLoader.load(DEFAULT_FILE, Map.of(), Map.of());
        assertEquals("streamscribe-transcribe", config.applicationId());
        assertEquals("streamscribe.audio-chunks", config.topics().audioChunks());
        assertEquals("streamscribe.dead-letters", config.topics().deadLetters());
        assertEquals(Dialect.OPENAI_GA, config.realtime().dialect());
        assertEquals(Duration.ofMillis(100), config.streams().commitInterval());
    }

    @Test
    void shouldLetTheEnvironmentOverrideTheFileAndFlagsOverrideBoth() {
        PipelineConfig config = ConfigLoader.load(DEFAULT_FILE,
                Map.of("STREAMSCRIBE_REALTIME_DIALECT", "inworld", "STREAMSCRIBE_REALTIME_MAX_CONCURRENT_SESSIONS", "3"),
                Map.of("realtime.max-concurrent-sessions", "7"));
        assertEquals(Dialect.INWORLD, config.realtime().dialect());
        assertEquals(7, config.realtime().maxConcurrentSessions());
    }

    @Test
    void shouldNameAnUnknownKeyAndSuggestTheClosestOne() {
        Map<String, String> settings = minimal();
        settings.put("realtime.dialet", "openai-ga");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(settings, Map.of()));
        assertEquals("realtime.dialet", e.key());
        assertTrue(e.getMessage().contains("did you mean 'realtime.dialect'?"), e.getMessage());
    }

    @Test
    void shouldNameAMissingRequiredKeyAndItsEnvironmentVariable() {
        Map<String, String> settings = minimal();
        settings.remove("bootstrap.servers");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(settings, Map.of()));
        assertEquals("bootstrap.servers", e.key());
        assertTrue(e.getMessage().contains("STREAMSCRIBE_BOOTSTRAP_SERVERS"), e.getMessage());
    }

    @Test
    void shouldListTheAllowedDialects() {
        Map<String, String> settings = minimal();
        settings.put("realtime.dialect", "azure");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(settings, Map.of()));
        assertTrue(e.getMessage().contains("openai-ga, openai-beta, inworld"), e.getMessage());
    }

    @Test
    void shouldRejectANumberOutOfRangeNamingTheRangeAndTheSource() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(minimal(),
                Map.of("STREAMSCRIBE_REALTIME_MAX_CONCURRENT_SESSIONS", "0")));
        assertEquals("realtime.max-concurrent-sessions", e.key());
        assertTrue(e.getMessage().contains("1..100000") && e.getMessage().contains("environment"), e.getMessage());
    }

    @Test
    void shouldRejectARealtimeUrlThatIsNotAWebSocket() {
        Map<String, String> settings = minimal();
        settings.put("realtime.url", "https://api.openai.com/v1/realtime");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(settings, Map.of()));
        assertTrue(e.getMessage().contains("ws or wss"), e.getMessage());
    }

    @Test
    void shouldRejectBootstrapServersWithoutAPort() {
        Map<String, String> settings = minimal();
        settings.put("bootstrap.servers", "broker1:9092,broker2");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(settings, Map.of()));
        assertTrue(e.getMessage().contains("'broker2', which is not host:port"), e.getMessage());
    }

    @Test
    void shouldRefuseAnApiKeyWhereAVariableNameBelongs() {
        Map<String, String> settings = minimal();
        settings.put("realtime.api-key-env", "sk-live-1234");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(settings, Map.of()));
        assertEquals("realtime.api-key-env", e.key());
    }

    @Test
    void shouldPassKafkaAndStreamsKeysThrough() {
        Map<String, String> settings = minimal();
        settings.put("kafka.security.protocol", "SSL");
        settings.put("streams.num.stream.threads", "2");
        PipelineConfig config = ConfigLoader.fromMap(settings, Map.of());
        assertEquals(Map.of("security.protocol", "SSL"), config.kafka().clientOverrides());
        assertEquals(Map.of("num.stream.threads", "2"), config.streams().overrides());
    }

    @Test
    void shouldUseStaticMembershipOnlyWhenAnInstanceIdIsGiven() {
        assertTrue(ConfigLoader.fromMap(minimal(), Map.of()).streams().instanceId().isEmpty());
        assertEquals("worker-1", ConfigLoader.fromMap(minimal(), Map.of("STREAMSCRIBE_INSTANCE_ID", "worker-1"))
                .streams().instanceId().orElseThrow());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.fromMap(minimal(), Map.of("STREAMSCRIBE_INSTANCE_ID", "worker 1")));
        assertEquals("instance.id", e.key());
    }

    @Test
    void shouldSayWhenTheFileIsMissing(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(dir.resolve("nope.properties"), Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("nope.properties does not exist"), e.getMessage());
    }

    @Test
    void shouldRejectAnInvalidTopicName(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("p.properties");
        Files.writeString(file, "bootstrap.servers=h:1\nschema.registry.url=http://h:1\nrealtime.url=ws://h:1/x\n"
                + "topic.prefix=my topics/\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of(), Map.of()));
        assertEquals("topic.session-configs", e.key());
    }

    @Test
    void shouldReadABudgetAndRefuseANegativeOneOrAnUnknownPeriodNamingTheKey() {
        assertFalse(ConfigLoader.fromMap(minimal(), Map.of()).budget().limited(), "no budget by default");
        Map<String, String> settings = new HashMap<>(minimal());
        settings.put("budget.max-cost", "200");
        settings.put("budget.period", "month");
        Budget budget = ConfigLoader.fromMap(settings, Map.of()).budget();
        assertEquals(200.0, budget.maxCost().getAsDouble());
        assertEquals(Budget.Period.MONTH, budget.period());
        for (Map.Entry<String, String> bad : Map.of("budget.max-cost", "-1", "budget.period", "week").entrySet()) {
            Map<String, String> wrong = new HashMap<>(settings);
            wrong.put(bad.getKey(), bad.getValue());
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(wrong, Map.of()));
            assertEquals(bad.getKey(), e.key(), e.getMessage());
        }
    }

    @Test
    void shouldBuildTheProviderPoolHighestPriorityFirstWithTheRealtimeProviderNamedAfterItsVendor() {
        Map<String, String> settings = new HashMap<>(minimal());
        settings.put("providers.local.url", "ws://127.0.0.1:8089/v1/realtime");
        settings.put("providers.local.priority", "-1");
        settings.put("providers.local.models", "gpt-4o-transcribe=whisper-local, whisper-1");
        settings.put("providers.eu.url", "wss://eu.example.com/v1/realtime");
        settings.put("providers.eu.priority", "5");
        settings.put("providers.eu.max-concurrent-sessions", "3");
        List<ProviderDefinition> pool = ConfigLoader.fromMap(settings, Map.of()).providers();
        assertEquals(List.of("eu", "openai", "local"), pool.stream().map(ProviderDefinition::name).toList());
        assertEquals(3, pool.getFirst().maxConcurrentSessions());
        assertTrue(pool.get(1).configured(), "the realtime.* provider");
        assertEquals(Map.of("gpt-4o-transcribe", "whisper-local", "whisper-1", "whisper-1"), pool.get(2).models());
        assertEquals(java.util.Optional.empty(), pool.get(2).model("gpt-realtime"));
    }

    @Test
    void shouldRefuseAMalformedProviderDefinitionNamingTheKey() {
        Map<String, Map<String, String>> cases = Map.of(
                "providers.local.url", Map.of("providers.local.dialect", "openai-ga"),
                "providers.openai.url", Map.of("providers.openai.url", "ws://127.0.0.1:1/v1/realtime"),
                "providers.local.models", Map.of("providers.local.url", "ws://127.0.0.1:1/v1/realtime",
                        "providers.local.models", "a=b=c"),
                "providers.Local.url", Map.of("providers.Local.url", "ws://127.0.0.1:1/v1/realtime"),
                "providers.local.colour", Map.of("providers.local.colour", "blue"));
        cases.forEach((key, extra) -> {
            Map<String, String> settings = new HashMap<>(minimal());
            settings.putAll(extra);
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(settings, Map.of()),
                    key);
            assertEquals(key, e.key(), e.getMessage());
        });
    }

    @Test
    void shouldRefuseAnApplicationIdThatWouldNameAnotherFolder() {
        for (String id : new String[]{"..", ".", "a/b"}) {
            Map<String, String> settings = new HashMap<>(minimal());
            settings.put("application.id", id);
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(settings, Map.of()), id);
            assertTrue(e.getMessage().contains("application.id"), e.getMessage());
        }
    }

    @Test
    void shouldKeepExactlyOnceUnlessUnsafeAtLeastOnceIsAccepted() {
        assertFalse(ConfigLoader.fromMap(minimal(), Map.of()).streams().unsafeAtLeastOnce());
        Map<String, String> settings = new HashMap<>(minimal());
        settings.put("processing.unsafe-at-least-once", "true");
        assertTrue(ConfigLoader.fromMap(settings, Map.of()).streams().unsafeAtLeastOnce());
    }
}
