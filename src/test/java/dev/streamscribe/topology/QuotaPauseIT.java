package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.cli.StreamscribeCli;
import dev.streamscribe.config.ConfigLoader;
import dev.streamscribe.realtime.Dialect;
import dev.streamscribe.realtime.server.DeterministicSpeechEngine;
import dev.streamscribe.realtime.server.FaultPlan;
import dev.streamscribe.realtime.server.FaultPlans;
import dev.streamscribe.realtime.server.LocalRealtimeServer;
import dev.streamscribe.results.TopicWatcher;
import dev.streamscribe.testing.SharedInfrastructure;
import dev.streamscribe.testing.TestAudio;
import dev.streamscribe.testing.TestConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quota: the provider answers a transcription-only session's first commit with {@code insufficient_quota}. That
 * session fails INSUFFICIENT_QUOTA, admission stops (nothing else reaches the provider, while {@code /health} and the
 * status topic say why), and {@code streamscribe resume-provider} lets the waiting sessions through.
 */
class QuotaPauseIT {
    @TempDir
    Path stateDir;

    @Test
    void anExhaustedQuotaStopsAdmissionUntilAnOperatorResumesTheProvider() throws Exception {
        var kafka = SharedInfrastructure.kafka();
        String prefix = "quota-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        FaultPlans quotaOnFirstConnection = FaultPlans.forConnection(1,
                FaultPlan.NONE.withInjectedError(FaultPlan.InjectedError.INSUFFICIENT_QUOTA, 1));
        try (LocalRealtimeServer server = LocalRealtimeServer.start(LocalRealtimeServer.Options
                .defaults(new DeterministicSpeechEngine()).withFaults(quotaOnFirstConnection))) {
            Map<String, String> settings = Map.of("application.id", prefix + "app",
                    "bootstrap.servers", kafka.bootstrapServers(), "schema.registry.url", SharedInfrastructure.registry().url(),
                    "realtime.url", server.url(Dialect.OPENAI_GA).toString(), "topic.prefix", prefix, "topic.partitions", "1",
                    "state.dir", stateDir.resolve("state").toString(), "operations.port", "0",
                    "realtime.max-concurrent-sessions", "1");
            var config = ConfigLoader.fromMap(settings, Map.of());
            try (StreamscribePipeline pipeline = StreamscribePipeline.start(config, Map.of());
                 var results = new TopicWatcher<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                         pipeline.topics().sessionResults().name(),
                         pipeline.topics().sessionResults().valueSerde().deserializer())) {
                publish(pipeline.topics(), kafka.bootstrapServers());
                SessionResult refused = results.awaitUntil(seen -> !seen.isEmpty(), Duration.ofSeconds(90)).values()
                        .iterator().next().getFirst();
                assertEquals(SessionStatus.FAILED, refused.getStatus());
                assertEquals("INSUFFICIENT_QUOTA", refused.getReason());
                // positive barrier: the instance has reported the pause on its status topic (seconds later); had
                // admission gone on, the other two sessions would have reached the provider by then
                StatusReports.awaitCondition(kafka.bootstrapServers(), config, "provider quota exhausted");
                assertEquals(1, server.connectionsAccepted(), "nothing else was sent to an account that cannot pay");
                assertTrue(pipeline.conditions().stream().anyMatch(c -> c.startsWith("provider quota exhausted")),
                        pipeline.conditions().toString());

                Path properties = stateDir.resolve("pipeline.properties");
                StringBuilder text = new StringBuilder();
                settings.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
                Files.writeString(properties, text.toString());
                StringWriter out = new StringWriter();
                int code = StreamscribeCli.commandLine().setOut(new PrintWriter(out))
                        .execute("resume-provider", "--config", properties.toString());
                assertEquals(0, code, out.toString());
                assertTrue(out.toString().contains("asked every instance"), out.toString());

                Map<String, List<SessionResult>> all = results.awaitUntil(seen -> seen.size() >= 3, Duration.ofSeconds(60));
                assertEquals(2, all.values().stream().map(List::getFirst)
                        .filter(r -> r.getStatus() == SessionStatus.COMPLETED).count(), all.toString());
                assertTrue(pipeline.conditions().stream().noneMatch(c -> c.startsWith("provider quota exhausted")));
            }
        }
    }

    private static void publish(Topics topics, String bootstrap) {
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap);
        try (var configs = new KafkaProducer<>(props, topics.sessionConfigs().keySerde().serializer(),
                topics.sessionConfigs().valueSerde().serializer());
             var chunks = new KafkaProducer<>(props, topics.audioChunks().keySerde().serializer(),
                     topics.audioChunks().valueSerde().serializer())) {
            for (int i = 0; i < 3; i++) {
                String id = "q-" + i;
                configs.send(new ProducerRecord<>(topics.sessionConfigs().name(), id,
                        TestConfigs.transcription(Dialect.OPENAI_GA, id)));
                chunks.send(new ProducerRecord<>(topics.audioChunks().name(), id, AudioChunk.newBuilder()
                        .setSessionId(id).setSeq(0).setTurnIndex(0).setAudio(ByteBuffer.wrap(TestAudio.turnAudio(i, 0, 500)))
                        .setEndOfTurn(true).setEndOfSession(true).build()));
            }
        }
    }
}
