package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionResult;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the global {@code finished-runs} store: every (session id, run token) that has a SessionResult. Global, so
 * Kafka Streams restores all of it from session-results before any input is processed: after an offset reset or
 * under a new application id, no finished run is sent to the provider again.
 *
 * <p>Threading: runs on the global stream thread only.
 */
final class FinishedRunsUpdater implements Processor<String, SessionResult, Void, Void> {
    private KeyValueStore<String, String> finishedRuns;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        finishedRuns = context.getStateStore(StoreNames.FINISHED_RUNS);
    }

    @Override
    public void process(Record<String, SessionResult> record) {
        SessionResult result = record.value();
        if (record.key() != null && result != null) {
            finishedRuns.put(SessionAssembler.runKey(record.key(), result.getRunToken()), result.getStatus().name());
        }
    }
}
