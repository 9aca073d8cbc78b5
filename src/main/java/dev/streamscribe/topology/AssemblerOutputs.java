package dev.streamscribe.topology;

import dev.streamscribe.util.SessionLog;
import dev.streamscribe.avro.DeadLetter;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.SessionStatus;
import dev.streamscribe.metrics.PipelineMetrics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * What the assembler and its expiry write: SessionResults for runs that end without an attempt, and DeadLetters,
 * each counted in the metrics. Forwarded to the named sinks, so under exactly-once they commit with the state change
 * that caused them.
 *
 * <p>Threading: the task's stream thread only.
 */
final class AssemblerOutputs {
    private static final Logger log = LoggerFactory.getLogger(AssemblerOutputs.class);

    private final ProcessorContext<String, SpecificRecord> context;
    private final String resultSink;
    private final String deadLetterSink;
    private final PipelineMetrics metrics;

    AssemblerOutputs(ProcessorContext<String, SpecificRecord> context, String resultSink, String deadLetterSink,
                     PipelineMetrics metrics) {
        this.context = context;
        this.resultSink = resultSink;
        this.deadLetterSink = deadLetterSink;
        this.metrics = metrics;
    }

    /** The run's SessionResult ({@code finished-runs} learns of it when it comes back through the topic). */
    void result(long timestamp, String sessionId, SessionState state, SessionStatus status, String reason,
                String message) {
        SessionResult.Builder result = SessionResult.newBuilder().setSessionId(sessionId).setRunToken(state.runToken())
                .setAttempt(state.attempt()).setStatus(status).setReason(reason).setMessage(message)
                .setFinishedAtMs(context.currentSystemTimeMs());
        state.sessionConfig().ifPresent(config -> result.setMetadata(config.getMetadata()));
        metrics.sessionFinished(status.name());
        context.forward(new Record<>(sessionId, result.build(), timestamp), resultSink);
    }

    /** A DeadLetter about the record being processed, pointing at where it was read. */
    void deadLetter(Record<String, SpecificRecord> record, String sessionId, String reason, String message) {
        DeadLetters.Source source = context.recordMetadata()
                .map(where -> DeadLetters.Source.of(where.topic(), where.partition(), where.offset()))
                .orElse(DeadLetters.Source.NONE);
        deadLetterAt(record.timestamp(), sessionId, record.key(), reason, message, source);
    }

    /** A DeadLetter about a session or a record elsewhere ({@code source}). */
    void deadLetterAt(long timestamp, String sessionId, String key, String reason, String message,
                      DeadLetters.Source source) {
        DeadLetter letter = DeadLetters.forRecord(reason, message, Optional.ofNullable(sessionId), Optional.ofNullable(key),
                source, context.currentSystemTimeMs());
        SessionLog.info(log, sessionId, null, "dead letter {} for session {}: {}", reason, sessionId, message);
        metrics.deadLetter(reason);
        context.forward(new Record<>(key, letter, timestamp), deadLetterSink);
    }
}
