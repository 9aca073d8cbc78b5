package dev.streamscribe.topology;

import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.registry.ConfluentAvroSerializer;
import dev.streamscribe.registry.RegistryClient;
import dev.streamscribe.registry.SchemaRegistryException.RegistryUnavailableException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resolves the schema ids of everything the pipeline writes before Kafka Streams starts, waiting through a registry
 * outage for as long as it lasts. The ids are cached for the life of the JVM (an id names one schema forever), so
 * afterwards no output waits for the registry inside a transaction: a result, a transcription or a dead letter
 * written during a later outage needs no registry call at all. Only input written with a schema this JVM has not
 * seen yet still needs one, and that waits in place within the transaction timeout (docs/architecture.md section 7).
 *
 * <p>Threading: runs on the pipeline's start-up thread; the client is thread-safe.
 */
final class RegistryWarmUp {
    private static final Logger log = LoggerFactory.getLogger(RegistryWarmUp.class);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    private RegistryWarmUp() {
    }

    /**
     * Returns once every output subject has its id; retries outages (each as long as the client's budget, then a
     * pause) until the registry answers or the thread is interrupted. A registry that answers with an error of its
     * own (an incompatible schema, a schema that is not registered while auto-registration is off) is not waited
     * for: that is a setup error, thrown at once.
     */
    static void resolveOutputIds(RegistryClient registry, Topics topics) throws InterruptedException {
        Map<String, Schema> outputs = new LinkedHashMap<>();
        outputs.put(topics.sessionResults().name(), SessionResult.getClassSchema());
        outputs.put(topics.transcriptions().name(), TranscriptionEvent.getClassSchema());
        outputs.put(topics.responses().name(), ResponseEvent.getClassSchema());
        outputs.put(topics.deadLetters().name(), DeadLetter.getClassSchema());
        long pauseMs = 1_000;
        for (var output : outputs.entrySet()) {
            String subject = ConfluentAvroSerializer.subjectFor(output.getKey(), false);
            while (true) {
                try {
                    registry.idFor(subject, output.getValue());
                    break;
                } catch (RegistryUnavailableException outage) {
                    log.warn("waiting for the schema registry before starting ({}); next try in {} s", outage.getMessage(),
                            pauseMs / 1000);
                    Thread.sleep(pauseMs);
                    pauseMs = Math.min(MAX_PAUSE.toMillis(), pauseMs * 2);
                }
            }
        }
    }
}
