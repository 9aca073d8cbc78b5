package dev.streamscribe.embedded;

import dev.streamscribe.registry.CompatibilityLevel;
import dev.streamscribe.testing.SharedInfrastructure;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApicurioRegistryIT {
    @Test
    void shouldStartOnLoopbackWithBackwardCompatibility() {
        ApicurioRegistry registry = SharedInfrastructure.registry();
        assertTrue(registry.url().startsWith("http://127.0.0.1:"), registry.url());
        assertEquals(CompatibilityLevel.BACKWARD, registry.client().globalCompatibility());
    }

    @Test
    void shouldRefuseATakenPortWithAMessageNamingIt() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ApicurioRegistry.start(ApicurioRegistry.Options.defaults().withHttpPort(port)));
            assertTrue(e.getMessage().contains("port " + port + " on 127.0.0.1 is already in use"), e.getMessage());
        }
    }
}
