package dev.streamscribe.cost;

import java.util.Optional;

/**
 * A sum of charges that keeps count of the calls whose cost is unknown (their model has no price, or nothing was
 * reported and the price gives no estimate): those add nothing to the amount but are never taken as free. Immutable.
 *
 * @param estimated some of the amount was estimated from audio duration
 * @param unpriced  calls whose cost is unknown, left out of {@code amount}
 */
public record ChargeSum(double amount, boolean estimated, int unpriced) {
    public static final ChargeSum ZERO = new ChargeSum(0, false, 0);

    public ChargeSum {
        if (!(amount >= 0) || unpriced < 0) {
            throw new IllegalArgumentException("a charge sum is >= 0 with >= 0 unpriced calls, not " + amount + " and "
                    + unpriced);
        }
    }

    /** This sum and one more call, priced or not. */
    public ChargeSum plus(Optional<Charge> charge) {
        return charge.map(c -> new ChargeSum(amount + c.amount(), estimated || c.estimated(), unpriced))
                .orElseGet(() -> new ChargeSum(amount, estimated, unpriced + 1));
    }

    public ChargeSum plus(ChargeSum other) {
        return new ChargeSum(amount + other.amount, estimated || other.estimated, unpriced + other.unpriced);
    }
}
