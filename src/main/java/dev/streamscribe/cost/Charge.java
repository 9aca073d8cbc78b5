package dev.streamscribe.cost;

/**
 * What one provider call (a turn's transcription, a response) cost, in the price table's currency. Immutable.
 *
 * @param estimated the provider reported no usage for it, so it was priced from the audio's duration by the
 *                  provider's own figure per minute (docs/protocol.md section 12)
 */
public record Charge(double amount, boolean estimated) {
    /** A call that cost nothing for sure: a turn never sent (too short to commit). */
    public static final Charge NONE = new Charge(0, false);

    public Charge {
        if (!(amount >= 0) || Double.isInfinite(amount)) {
            throw new IllegalArgumentException("a charge is a finite amount >= 0, not " + amount);
        }
    }
}
