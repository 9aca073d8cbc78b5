package dev.streamscribe.topology;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;

/**
 * The context Kafka Streams hands an exception handler, for the handlers' unit tests: the input record being
 * processed ({@code topic} null and offset -1 when a punctuation was running), timestamp 42, task 0_0.
 */
record TestErrorContext(String topic, int partition, long offset, byte[] sourceRawKey, byte[] sourceRawValue,
                        String processorNodeId) implements ErrorHandlerContext {
    /** While {@code node} ran a punctuation: no input record. */
    static TestErrorContext punctuation(String node) {
        return new TestErrorContext(null, -1, -1, null, null, node);
    }

    @Override
    public Headers headers() {
        return new RecordHeaders();
    }

    @Override
    public TaskId taskId() {
        return new TaskId(0, 0);
    }

    @Override
    public long timestamp() {
        return 42;
    }
}
