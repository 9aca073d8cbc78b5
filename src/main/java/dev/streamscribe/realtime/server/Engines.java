package dev.streamscribe.realtime.server;

/** Picks a speech engine by name: {@code auto}, {@code pocketsphinx} or {@code deterministic}. */
public final class Engines {
    private Engines() {
    }

    /**
     * @param decoders how many turns pocketsphinx may decode at once
     * @throws IllegalStateException pocketsphinx was asked for and is not installed
     * @throws IllegalArgumentException an unknown name
     */
    public static SpeechEngine select(String name, int decoders) {
        return switch (name) {
            case "deterministic" -> new DeterministicSpeechEngine();
            case "pocketsphinx" -> PocketsphinxEngine.start(decoders);
            case "auto" -> PocketsphinxEngine.locate().isPresent()
                    ? PocketsphinxEngine.start(decoders) : new DeterministicSpeechEngine();
            default -> throw new IllegalArgumentException("unknown speech engine '" + name
                    + "'; allowed: auto, pocketsphinx, deterministic");
        };
    }
}
