package dev.streamscribe.cli;

import dev.streamscribe.realtime.Dialect;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo's session options are checked before anything starts; the beta interface's model may come from the URL. */
class DemoOptionsTest {
    private static DemoCommand parsed(String... args) {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs(args);
        return demo;
    }

    @Test
    void theBetaInterfaceTakesItsModelFromAUrlThatNamesOne() {
        DemoCommand demo = parsed("--dialect", "openai-beta", "--realtime-url",
                "wss://proxy.example/v1/realtime?model=gpt-4o-realtime-preview");
        assertEquals("gpt-4o-realtime-preview", demo.checkSessionOptions(Dialect.OPENAI_BETA).getModel());
    }

    @Test
    void anExplicitModelWinsOverTheUrls() {
        DemoCommand demo = parsed("--dialect", "openai-beta", "--model", "gpt-realtime", "--realtime-url",
                "wss://proxy.example/v1/realtime?model=gpt-4o-realtime-preview");
        assertEquals("gpt-realtime", demo.checkSessionOptions(Dialect.OPENAI_BETA).getModel());
    }

    @Test
    void theBetaInterfaceWithoutAnyModelIsRefusedBeforeAnythingStarts() {
        DemoCommand demo = parsed("--dialect", "openai-beta", "--realtime-url", "wss://proxy.example/v1/realtime");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> demo.checkSessionOptions(Dialect.OPENAI_BETA));
        assertTrue(refused.getMessage().contains("openai-beta"), refused.getMessage());
    }
}
