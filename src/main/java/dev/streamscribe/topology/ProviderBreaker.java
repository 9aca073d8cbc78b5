package dev.streamscribe.topology;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A circuit breaker for one provider (docs/architecture.md section 4, "Provider outages"): connection-level failures
 * (connection refused or reset, an abnormal close, an upgrade refused with 5xx, connect, configure and commit
 * timeouts) from {@code failures} different sessions in a row, with no success in between, open it. While open,
 * admission to the provider pauses; after the pause one session probes (half-open); its success closes the breaker,
 * its connection-level failure opens it again for twice as long, up to {@code maxPause}.
 *
 * <pre>
 * CLOSED -N sessions fail in a row-> OPEN -pause over, one admitted-> HALF_OPEN -success-> CLOSED
 *                                    ^------------- connection-level failure ---------------'
 * </pre>
 * Every failure is numbered as it is reported ({@link #connectionFailed}); the drain asks for its {@link Verdict}:
 * OUTAGE when it belongs to the streak that opened the breaker or came while it was open or half-open (the session
 * goes back to waiting and spends no attempt), ORDINARY when a success came after it first or {@code grace} passed
 * without the streak reaching N (a transient failure of that session), PENDING until one of these is known.
 *
 * <p>Threading: thread-safe (every method is synchronized; each is a few field updates). Driver callbacks report
 * outcomes from any thread; stream threads admit sessions and ask for verdicts.
 */
public final class ProviderBreaker {
    /** Where the breaker is. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    /** What a connection-level failure was. */
    public enum Verdict { OUTAGE, ORDINARY, PENDING }

    /** One reported connection-level failure: its number among all reports, and when it came. */
    public record Ticket(long sequence, long atMs) {
    }

    /**
     * The breaker's settings.
     *
     * @param failures sessions failing in a row at connection level that open the breaker
     * @param pause    the first pause; each reopening doubles it
     * @param maxPause the longest pause
     * @param grace    how long a failure waits for its verdict before it counts as the session's own
     */
    public record Settings(int failures, Duration pause, Duration maxPause, Duration grace) {
        /** The defaults of {@code provider.breaker.*}: 5 sessions, 5 s doubling to 5 min, 5 s of grace. */
        public static final Settings DEFAULTS = new Settings(5, Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofSeconds(5));

        public Settings {
            if (failures < 1) {
                throw new IllegalArgumentException("failures must be >= 1, got " + failures);
            }
            Objects.requireNonNull(pause, "pause");
            Objects.requireNonNull(maxPause, "maxPause");
            Objects.requireNonNull(grace, "grace");
        }
    }

    /** Failures numbered {@code from} (inclusive) to {@code to} (exclusive; MAX while the outage lasts) were an outage. */
    private record Outage(long from, long to) {
        boolean covers(long sequence) {
            return sequence >= from && sequence < to;
        }
    }

    private static final int OUTAGES_REMEMBERED = 16;

    private final Settings settings;
    private final LongSupplier clock;
    private final Deque<Outage> outages = new ArrayDeque<>();
    private final Set<String> streakSessions = new HashSet<>();
    private State state = State.CLOSED;
    private long sequence;
    private long streakFrom = -1;
    private long lastSuccess = -1;
    private long openUntilMs;
    private long pauseMs;
    private boolean probeOut;
    private long opened;
    private long outageSinceMs;

    public ProviderBreaker(Settings settings) {
        this(settings, System::currentTimeMillis);
    }

    /** @param clock epoch milliseconds (tests move it by hand) */
    public ProviderBreaker(Settings settings, LongSupplier clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pauseMs = settings.pause().toMillis();
    }

    /**
     * Whether a session may go to the provider now: always while closed; while open, none until the pause is over,
     * then exactly one (the probe, half-open) until it has an outcome or its slot is given back unused.
     */
    public synchronized boolean tryAdmit() {
        long nowMs = clock.getAsLong();
        switch (state) {
            case CLOSED -> {
                return true;
            }
            case OPEN -> {
                if (nowMs < openUntilMs) {
                    return false;
                }
                state = State.HALF_OPEN;
                probeOut = true;
                return true;
            }
            default -> {
                if (probeOut) {
                    return false;
                }
                probeOut = true;
                return true;
            }
        }
    }

    /** Whether {@link #tryAdmit} would admit now, without taking the probe. */
    public synchronized boolean admitsNow() {
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> clock.getAsLong() >= openUntilMs;
            case HALF_OPEN -> !probeOut;
        };
    }

    /** An admitted session's slot was released: if it was the probe and nothing was learnt, another may probe. */
    public synchronized void slotReleased() {
        if (state == State.HALF_OPEN) {
            probeOut = false;
        }
    }

    /** A connection-level failure of {@code sessionId}; the ticket asks for its verdict later. */
    public synchronized Ticket connectionFailed(String sessionId) {
        long nowMs = clock.getAsLong();
        long number = ++sequence;
        switch (state) {
            case CLOSED -> {
                if (streakSessions.isEmpty()) {
                    streakFrom = number;
                }
                streakSessions.add(sessionId);
                if (streakSessions.size() >= settings.failures()) {
                    open(streakFrom, nowMs);
                }
            }
            case HALF_OPEN -> {
                // the probe (or a session admitted before the breaker opened) failed: pause again, longer
                pauseMs = Math.min(settings.maxPause().toMillis(), pauseMs * 2);
                state = State.OPEN;
                openUntilMs = nowMs + pauseMs;
                probeOut = false;
                opened++;
            }
            case OPEN -> {
                // a session admitted before the breaker opened: part of the outage, nothing changes
            }
        }
        return new Ticket(number, nowMs);
    }

    private void open(long from, long nowMs) {
        state = State.OPEN;
        outageSinceMs = nowMs;
        openUntilMs = nowMs + pauseMs;
        outages.addLast(new Outage(from, Long.MAX_VALUE));
        if (outages.size() > OUTAGES_REMEMBERED) {
            outages.removeFirst();
        }
        streakSessions.clear();
        opened++;
    }

    /**
     * The provider served a session (a connection configured, or an outcome other than a connection-level failure):
     * the streak ends; an open or half-open breaker closes (the provider is back, whichever session showed it) and
     * its pause starts over from the first.
     */
    public synchronized void succeeded() {
        long number = ++sequence;
        lastSuccess = number;
        streakSessions.clear();
        streakFrom = -1;
        if (state != State.CLOSED) {
            outageSinceMs = 0;
            Outage current = outages.pollLast();
            outages.addLast(new Outage(current.from(), number));
            state = State.CLOSED;
            probeOut = false;
            pauseMs = settings.pause().toMillis();
        }
    }

    /** Whether the failure of {@code ticket} was part of an outage, the session's own, or not known yet. */
    public synchronized Verdict verdict(Ticket ticket) {
        long nowMs = clock.getAsLong();
        for (Outage outage : outages) {
            if (outage.covers(ticket.sequence())) {
                return Verdict.OUTAGE;
            }
        }
        if (lastSuccess > ticket.sequence() || nowMs - ticket.atMs() >= settings.grace().toMillis()) {
            return Verdict.ORDINARY;
        }
        return Verdict.PENDING;
    }

    public synchronized State state() {
        return state;
    }

    /** When admission may resume (epoch ms): the end of the pause while open; in the past otherwise. */
    public synchronized long pausedUntilMs() {
        return state == State.OPEN ? openUntilMs : 0;
    }

    /** When the current outage began (epoch ms: the breaker first opened); 0 while closed. */
    public synchronized long outageSinceMs() {
        return state == State.CLOSED ? 0 : outageSinceMs;
    }

    /** How often the breaker opened (including reopenings after a failed probe). */
    public synchronized long timesOpened() {
        return opened;
    }
}
