package dev.streamscribe.cli;

import dev.streamscribe.config.PipelineConfig;
import dev.streamscribe.metrics.InstanceStatus;
import dev.streamscribe.results.PipelineStatus;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code status --json}: the same report as the text one, as one JSON object (docs/operations.md lists the fields).
 * Numbers stay numbers (milliseconds, counts, rates); what is unknown is null, never a made-up zero.
 */
final class StatusJson {
    private StatusJson() {
    }

    static Map<String, Object> report(PipelineStatus.Summary s, PipelineConfig config, boolean pipelineSeen,
                                      Optional<String> registryCondition, Collection<InstanceStatus> instances,
                                      long nowMs) {
        Map<String, Object> report = header(config, nowMs);
        report.put("pipeline_seen", pipelineSeen);
        Map<String, Object> sessions = new LinkedHashMap<>();
        sessions.put("total", s.total());
        sessions.put("done", s.completed());
        sessions.put("done_with_errors", s.completedWithErrors());
        sessions.put("failed", s.failed());
        sessions.put("expired", s.expired());
        sessions.put("in_flight", s.inFlight());
        sessions.put("waiting", s.waiting());
        sessions.put("assembling", s.assembling());
        sessions.put("unread", s.unread());
        sessions.put("remaining", s.remaining());
        sessions.put("live", s.live());
        report.put("sessions", sessions);
        report.put("live_longest_without_input_ms", s.live() > 0 ? Math.max(0, nowMs - s.liveOldestInputMs()) : null);
        report.put("audio_finished_ms", s.audioMs());
        Map<String, Object> rate = new LinkedHashMap<>();
        rate.put("audio_seconds_per_second", s.audioRate() > 0 ? s.audioRate() : null);
        rate.put("sessions_per_second", s.sessionRate() > 0 ? s.sessionRate() : null);
        report.put("rate", rate);
        Long eta = null; // unknown until something has finished
        if (s.remaining() == 0) {
            eta = 0L;
        } else if (s.sessionRate() > 0) {
            eta = Math.round(s.remaining() / s.sessionRate());
        }
        report.put("eta_seconds", eta);
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("input_tokens", s.inputTokens());
        usage.put("output_tokens", s.outputTokens());
        usage.put("billed_seconds", s.billedSeconds());
        report.put("usage", usage);
        report.put("cost", cost(s.costs()));
        report.put("dead_letters", new TreeMap<>(s.deadLetters()));
        report.put("registry", registry(config, registryCondition.isEmpty(), registryCondition));
        report.put("instances", instances.stream().map(instance -> instance(instance, nowMs)).toList());
        return report;
    }

    private static Map<String, Object> cost(PipelineStatus.Costs costs) {
        Map<String, Object> cost = new LinkedHashMap<>();
        cost.put("currency", costs.currency());
        cost.put("spent", costs.spent().amount());
        cost.put("spent_estimated", costs.spent().estimated());
        cost.put("spent_unpriced_events", costs.spent().unpriced());
        cost.put("results_without_cost", costs.resultsWithoutCost());
        cost.put("projected_audio_ms", costs.projectedAudioMs());
        cost.put("projected_low", costs.projected().low());
        cost.put("projected_high", costs.projected().high());
        cost.put("projected_exact", costs.projectedExact());
        cost.put("projected_unpriced_sessions", costs.projectedUnpriced());
        return cost;
    }

    /** The one line printed when the registry cannot be reached (exit code 1): nothing else can be counted. */
    static Map<String, Object> unreachableRegistry(PipelineConfig config, String condition) {
        Map<String, Object> report = header(config, System.currentTimeMillis());
        report.put("registry", registry(config, false, Optional.of(condition)));
        return report;
    }

    private static Map<String, Object> header(PipelineConfig config, long nowMs) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("time", Instant.ofEpochMilli(nowMs).toString());
        report.put("application_id", config.applicationId());
        report.put("bootstrap_servers", config.kafka().bootstrapServers());
        return report;
    }

    private static Map<String, Object> registry(PipelineConfig config, boolean reachable, Optional<String> condition) {
        Map<String, Object> registry = new LinkedHashMap<>();
        registry.put("url", config.registry().url().toString());
        registry.put("reachable", reachable);
        registry.put("condition", condition.orElse(null));
        return registry;
    }

    private static Map<String, Object> instance(InstanceStatus instance, long nowMs) {
        Map<String, Object> fields = new LinkedHashMap<>();
        long ago = Math.max(0, nowMs - instance.updatedAtMs());
        fields.put("instance", instance.instance());
        fields.put("state", instance.state());
        fields.put("reported_ms_ago", ago);
        fields.put("silent", ago > 60_000);
        fields.put("conditions", List.copyOf(instance.conditions()));
        return fields;
    }
}
