package dev.streamscribe.results;

import dev.streamscribe.avro.ResponseEvent;
import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.SessionResult;
import dev.streamscribe.avro.TranscriptionEvent;
import dev.streamscribe.topology.Topics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything committed on the output topics (and, when asked, the latest config of every session) at the moment
 * of reading. Reads with group-less read_committed consumers: nothing is moved or changed.
 */
public final class ResultsSnapshot {
    private ResultsSnapshot() {
    }

    /** Results, turns and responses committed so far. */
    public static ResultCollector results(Map<String, Object> clientProperties, Topics topics) {
        ResultCollector collector = new ResultCollector();
        try (TopicReader<SessionResult> results = new TopicReader<>(clientProperties,
                topics.sessionResults().name(), topics.sessionResults().valueSerde().deserializer());
             TopicReader<TranscriptionEvent> turns = new TopicReader<>(clientProperties,
                     topics.transcriptions().name(), topics.transcriptions().valueSerde().deserializer());
             TopicReader<ResponseEvent> responses = new TopicReader<>(clientProperties,
                     topics.responses().name(), topics.responses().valueSerde().deserializer())) {
            // results first: every turn of a result read here is already committed, so it is read below
            results.readToEnd((key, value) -> collector.result(value));
            turns.readToEnd((key, value) -> collector.transcription(value));
            responses.readToEnd((key, value) -> collector.response(value));
        }
        return collector;
    }

    /** The latest config of every session, by session id (the configs topic is compacted). */
    public static Map<String, SessionConfig> configs(Map<String, Object> clientProperties, Topics topics) {
        Map<String, SessionConfig> configs = new LinkedHashMap<>();
        try (TopicReader<SessionConfig> reader = new TopicReader<>(clientProperties, topics.sessionConfigs().name(),
                topics.sessionConfigs().valueSerde().deserializer())) {
            reader.readToEnd((key, value) -> {
                if (key != null && value != null) {
                    configs.put(key, value);
                }
            });
        }
        return configs;
    }
}
