package dev.streamscribe.realtime.driver;

import java.util.concurrent.CompletableFuture;

/** A started run: its outcome, and how to give it more turns while its connection is open ({@link LiveTurns}). */
public record LiveRun(CompletableFuture<SessionOutcome> outcome, LiveTurns more) {
}
