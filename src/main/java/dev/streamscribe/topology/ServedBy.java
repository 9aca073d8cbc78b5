package dev.streamscribe.topology;

import dev.streamscribe.avro.Cost;
import dev.streamscribe.cost.Charge;
import dev.streamscribe.cost.ChargeSum;
import dev.streamscribe.cost.Pricing;

import java.util.Objects;
import java.util.Optional;

/**
 * Who the records of an attempt say served it: the provider's name in the pipeline definition, the dialect spoken,
 * and how it prices its calls. Immutable.
 */
record ServedBy(String provider, String dialect, Pricing pricing) {
    ServedBy {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(pricing, "pricing");
    }

    /** A known charge as a record field; null (unknown) when empty. */
    Cost cost(Optional<Charge> charge) {
        return charge.map(c -> Cost.newBuilder().setAmount(c.amount()).setCurrency(pricing.currency())
                .setEstimated(c.estimated()).build()).orElse(null);
    }

    Cost cost(ChargeSum sum) {
        return Cost.newBuilder().setAmount(sum.amount()).setCurrency(pricing.currency()).setEstimated(sum.estimated())
                .build();
    }

    /** A record field back as a charge (null: unknown). */
    static Optional<Charge> charge(Cost cost) {
        return cost == null ? Optional.empty() : Optional.of(new Charge(cost.getAmount(), cost.getEstimated()));
    }
}
