package dev.streamscribe.topology;

import dev.streamscribe.avro.SessionConfig;
import dev.streamscribe.avro.TranscriptionSettings;
import dev.streamscribe.config.ProviderDefinition;
import dev.streamscribe.realtime.event.InvalidSessionConfigException;
import dev.streamscribe.realtime.event.SessionSettings;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which providers of the pool may serve a session (docs/architecture.md, Providers): the one it names, if it names
 * one; one that serves its models (under the provider's own names for them); one whose dialect can express its
 * config. Pure.
 */
final class ProviderChoice {
    private ProviderChoice() {
    }

    /** Why {@code provider} cannot serve {@code config}; empty when it can. */
    static Optional<String> refusal(SessionConfig config, ProviderDefinition provider) {
        String named = config.getProvider();
        if (named != null && !named.isBlank() && !named.equals(provider.name())) {
            return Optional.of("the session names provider '" + named + "'");
        }
        Optional<SessionConfig> mapped = mapped(config, provider);
        if (mapped.isEmpty()) {
            return Optional.of("provider '" + provider.name() + "' does not serve model '" + unmappedModel(config,
                    provider) + "' (its models: " + String.join(", ", provider.models().keySet()) + ")");
        }
        try {
            SessionSettings.from(mapped.get(), provider.dialect());
            return Optional.empty();
        } catch (InvalidSessionConfigException e) {
            return Optional.of("provider '" + provider.name() + "' (" + provider.dialect().id() + "): " + e.getMessage());
        }
    }

    /** Why no provider of {@code providers} can serve {@code config}; empty when one can. */
    static Optional<String> refusalByAll(SessionConfig config, List<ProviderDefinition> providers) {
        List<String> reasons = providers.stream().map(p -> refusal(config, p)).flatMap(Optional::stream).toList();
        if (reasons.size() < providers.size()) {
            return Optional.empty();
        }
        String named = config.getProvider();
        if (named != null && !named.isBlank() && providers.stream().noneMatch(p -> p.name().equals(named))) {
            return Optional.of("it names provider '" + named + "', which this pipeline does not have (providers: "
                    + providers.stream().map(ProviderDefinition::name).collect(Collectors.joining(", ")) + ")");
        }
        return Optional.of(reasons.stream().filter(r -> !r.startsWith("the session names")).collect(
                Collectors.joining("; ")));
    }

    /** {@code config} with the provider's names for its models; empty when the provider does not serve one of them. */
    static Optional<SessionConfig> mapped(SessionConfig config, ProviderDefinition provider) {
        if (provider.models().isEmpty()) {
            return Optional.of(config);
        }
        SessionConfig.Builder copy = SessionConfig.newBuilder(config);
        if (config.getModel() != null) {
            Optional<String> model = provider.model(config.getModel());
            if (model.isEmpty()) {
                return Optional.empty();
            }
            copy.setModel(model.get());
        }
        TranscriptionSettings transcription = config.getTranscription();
        if (transcription != null) {
            Optional<String> model = provider.model(transcription.getModel());
            if (model.isEmpty()) {
                return Optional.empty();
            }
            copy.setTranscription(TranscriptionSettings.newBuilder(transcription).setModel(model.get()).build());
        }
        return Optional.of(copy.build());
    }

    private static String unmappedModel(SessionConfig config, ProviderDefinition provider) {
        if (config.getModel() != null && provider.model(config.getModel()).isEmpty()) {
            return config.getModel();
        }
        return config.getTranscription() == null ? "" : config.getTranscription().getModel();
    }
}
