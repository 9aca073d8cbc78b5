package dev.streamscribe.cost;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What an application id has spent at the providers in the current budget period, over all its instances and
 * restarts (docs/architecture.md, Budgets). Each instance incarnation (one process run) counts the calls its
 * connections were billed for, the moment the provider reports them, and publishes its own running total for the
 * period as one {@link Entry}; it learns the others' from the spend topic. The spend is the sum of every
 * incarnation's latest entry for the period. An entry only grows, so entries read twice or out of order never
 * count twice, and nothing depends on the Streams state: a restore, a rebalance or a crash leaves it as it was. A
 * call whose cost is unknown (no price for the model) cannot be counted; it is counted apart ({@link #unpriced}).
 *
 * <p>Threading: thread-safe (synchronized): charged from the session threads, observed from the spend topic's
 * reader, read by admission and the health report.
 */
public final class SpendLedger {
    /**
     * One incarnation's total for one period, as the spend topic keeps it (compacted by {@link #key}).
     *
     * @param incarnation one process run of one instance: a new one each start, so two never write one key
     */
    public record Entry(String bucket, String incarnation, double amount, String currency) {
        public Entry {
            Objects.requireNonNull(bucket, "bucket");
            Objects.requireNonNull(incarnation, "incarnation");
            Objects.requireNonNull(currency, "currency");
        }

        public String key() {
            return bucket + "/" + incarnation;
        }
    }

    private final String currency;
    private final Budget budget;
    private final String incarnation;
    private final Consumer<Entry> publish;
    /** Latest entries of the current period by key, this incarnation's included. */
    private final Map<String, Entry> entries = new HashMap<>();
    private String bucket = "";
    private double own;
    private long unpriced;

    /**
     * @param publish given this incarnation's new total after each charge (the spend topic's producer); must not
     *                block
     */
    /**
     * @param currency the price table's: calls are charged in it, and another currency's entries are not counted
     */
    public SpendLedger(String currency, Budget budget, String incarnation, Consumer<Entry> publish) {
        this.currency = Objects.requireNonNull(currency, "currency");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.incarnation = Objects.requireNonNull(incarnation, "incarnation");
        this.publish = Objects.requireNonNull(publish, "publish");
    }

    /** A ledger that counts nothing and never stops admission (no budget configured). */
    public static final SpendLedger UNTRACKED = new SpendLedger("USD", Budget.NONE, "untracked", entry -> { });

    public Budget budget() {
        return budget;
    }

    public String currency() {
        return currency;
    }

    /**
     * A call the provider billed, priced by the provider that served it ({@link Pricing}; empty: its cost is
     * unknown); nothing without a budget.
     */
    public void charge(Optional<Charge> charge, long nowMs) {
        if (!budget.limited()) {
            return;
        }
        Entry entry;
        synchronized (this) {
            if (charge.isEmpty()) {
                unpriced++;
                return;
            }
            roll(nowMs);
            own += charge.get().amount();
            entry = new Entry(bucket, incarnation, own, currency);
            entries.put(entry.key(), entry);
        }
        publish.accept(entry);
    }

    /**
     * An entry read from the spend topic (another incarnation's, or an earlier one of this instance's); one of
     * another period than the one holding {@code nowMs} is not kept.
     */
    public synchronized void observe(Entry entry, long nowMs) {
        if (entry.incarnation().equals(incarnation) || !entry.currency().equals(currency)) {
            return; // ours is counted as charged; another currency is another price table's figure
        }
        roll(nowMs);
        if (!entry.bucket().equals(bucket)) {
            return;
        }
        entries.merge(entry.key(), entry, (was, now) -> now.amount() >= was.amount() ? now : was);
    }

    /** What the application id spent in the period holding {@code nowMs}. */
    public synchronized double spent(long nowMs) {
        roll(nowMs);
        double sum = 0;
        for (Entry entry : entries.values()) {
            if (entry.bucket().equals(bucket)) {
                sum += entry.amount();
            }
        }
        return sum;
    }

    /** Whether the budget is spent: admission stops. */
    public boolean exhausted(long nowMs) {
        return budget.limited() && spent(nowMs) >= budget.maxCost().getAsDouble();
    }

    /** Calls this instance was billed for whose cost is unknown (not in the spend). */
    public synchronized long unpriced() {
        return unpriced;
    }

    /** The current period's name at {@code nowMs}. */
    public String period(long nowMs) {
        return budget.period().bucket(nowMs);
    }

    /** A new period starts this incarnation's total from zero and forgets the last period's entries. */
    private void roll(long nowMs) {
        String current = budget.period().bucket(nowMs);
        if (current.equals(bucket)) {
            return;
        }
        bucket = current;
        own = 0;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            if (!it.next().bucket().equals(current)) {
                it.remove();
            }
        }
    }
}
