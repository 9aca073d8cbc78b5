package dev.streamscribe.bench;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What every phase of one bench run works with: the settings, the processes, the report it adds rows to, a work
 * folder and the progress line.
 */
record PhaseContext(BenchSettings settings, BenchStack stack, BenchReport report, Path work, Consumer<String> progress) {
}
