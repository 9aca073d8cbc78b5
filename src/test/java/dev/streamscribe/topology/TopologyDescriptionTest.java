package dev.streamscribe.topology;

import dev.streamscribe.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The checked-in topology description is the one the code builds: a change to the topology is a visible diff. */
class TopologyDescriptionTest {
    private static final Path ROOT = Path.of(System.getProperty("streamscribe.project.dir", "."));

    @Test
    void shouldMatchTheCheckedInDescription() throws IOException {
        String built = TranscribeTopology.describe(ConfigLoader.load(ROOT.resolve("topologies/transcribe.properties"),
                Map.of(), Map.of()));
        String checkedIn = Files.readString(ROOT.resolve("topologies/transcribe.topology.txt"));
        assertEquals(checkedIn, built, "the topology changed; if that is intended, regenerate its description with:\n"
                + "  bin/streamscribe describe --config topologies/transcribe.properties > topologies/transcribe.topology.txt");
    }
}
