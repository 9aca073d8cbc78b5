package dev.streamscribe.realtime.server;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Which {@link FaultPlan} applies to which connection: one for the whole server, and overrides for the N-th
 * connection it accepts (1-based, counting every upgrade attempt), so a test can fail a first attempt and let
 * the retry through. File form: {@code {"default": {...}, "connections": {"1": {...}}}}.
 */
public record FaultPlans(FaultPlan defaultPlan, Map<Integer, FaultPlan> byConnection) {
    public static final FaultPlans NONE = new FaultPlans(FaultPlan.NONE, Map.of());

    public FaultPlans {
        byConnection = Map.copyOf(byConnection);
    }

    public static FaultPlans everywhere(FaultPlan plan) {
        return new FaultPlans(plan, Map.of());
    }

    public static FaultPlans forConnection(int ordinal, FaultPlan plan) {
        return new FaultPlans(FaultPlan.NONE, Map.of(ordinal, plan));
    }

    public FaultPlan forOrdinal(int ordinal) {
        return byConnection.getOrDefault(ordinal, defaultPlan);
    }

    @JsonCreator
    static FaultPlans fromJson(@JsonProperty("default") FaultPlan plan,
                               @JsonProperty("connections") Map<Integer, FaultPlan> connections) {
        return new FaultPlans(plan == null ? FaultPlan.NONE : plan, connections == null ? Map.of() : connections);
    }

    /** Reads a fault-plan file; the message names the file and what is wrong with it. */
    public static FaultPlans read(Path file) {
        try {
            return new ObjectMapper().readValue(file.toFile(), FaultPlans.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read fault plan " + file + ": " + e.getMessage(), e);
        }
    }
}
