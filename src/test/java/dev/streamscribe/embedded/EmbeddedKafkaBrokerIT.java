package dev.streamscribe.embedded;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedKafkaBrokerIT {
    @TempDir
    Path dataDir;

    @Test
    void shouldKeepItsClusterIdAcrossRestartsOfTheSameDataDir() {
        String first;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.at(dataDir))) {
            first = broker.clusterId();
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.at(dataDir))) {
            assertEquals(first, broker.clusterId());
        }
    }

    @Test
    void shouldRefuseATakenPortWithAMessageNamingIt() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                    EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.at(dataDir).withPort(port)));
            assertTrue(e.getMessage().contains("port " + port + " on 127.0.0.1 is already in use"), e.getMessage());
        }
    }
}
