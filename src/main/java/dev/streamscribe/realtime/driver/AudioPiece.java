package dev.streamscribe.realtime.driver;

import java.nio.ByteBuffer;

/** One chunk of a session's audio as the driver receives it, in seq order. The buffer is only read. */
public record AudioPiece(int turnIndex, ByteBuffer audio, boolean endOfTurn) {
}
