package dev.streamscribe.topology;

import dev.streamscribe.avro.AudioChunk;
import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.registry.AvroSerdes;
import dev.streamscribe.registry.RegistryClient;
import org.apache.kafka.common.serialization.Serdes;

import java.util.List;

/**
 * The pipeline's six topics (docs/architecture.md section 3), keyed by session id, values in Avro (Confluent wire format).
 * Dead letters keep the original key bytes as they were.
 */
public record Topics(Topic<String, SessionConfig> sessionConfigs,
                     Topic<String, AudioChunk> audioChunks,
                     Topic<String, TranscriptionEvent> transcriptions,
                     Topic<String, ResponseEvent> responses,
                     Topic<String, SessionResult> sessionResults,
                     Topic<byte[], DeadLetter> deadLetters) {

    public static Topics create(PipelineConfig.Topics names, RegistryClient registry) {
        return new Topics(
                new Topic<>(names.sessionConfigs(), Serdes.String(), AvroSerdes.valueSerde(registry, SessionConfig.class)),
                new Topic<>(names.audioChunks(), Serdes.String(), AvroSerdes.valueSerde(registry, AudioChunk.class)),
                new Topic<>(names.transcriptions(), Serdes.String(), AvroSerdes.valueSerde(registry, TranscriptionEvent.class)),
                new Topic<>(names.responses(), Serdes.String(), AvroSerdes.valueSerde(registry, ResponseEvent.class)),
                new Topic<>(names.sessionResults(), Serdes.String(), AvroSerdes.valueSerde(registry, SessionResult.class)),
                new Topic<>(names.deadLetters(), Serdes.ByteArray(), AvroSerdes.valueSerde(registry, DeadLetter.class)));
    }

    public List<Topic<?, ?>> all() {
        return List.of(sessionConfigs, audioChunks, transcriptions, responses, sessionResults, deadLetters);
    }
}
