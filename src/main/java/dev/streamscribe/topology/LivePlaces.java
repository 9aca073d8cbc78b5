package dev.streamscribe.topology;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which live sessions (start AT_FIRST_TURN) of this JVM have a <em>place</em>: the right to dispatch their turns
 * ahead of batch sessions, and into the slots the {@link AdmissionGate} holds back for them; and which of those have
 * a turn due that waits for a slot. At most
 * {@code realtime.max-live-sessions} sessions have one; a live session that finds none queues like a batch session
 * (it still goes turn by turn, without the priority) and counts as queued until a place frees at one of its later
 * dispatches. A place is kept between connections: the point is that a session waiting for its next turn, without a
 * connection, gets a slot the moment that turn completes.
 *
 * <p>Each task's dispatcher gives back the places of its sessions once their runs end (it looks at its own sessions'
 * state, so a session that ended anywhere, its result, its expiry or its producer's abort, frees its place), and all
 * of them when the task closes.
 *
 * <p>Threading: thread-safe (every method synchronizes on this object); dispatchers of every task call it from their
 * stream threads and the metrics scrape reads the counts.
 */
public final class LivePlaces {
    private final int capacity;
    /** Session id to the run token that holds the place. */
    private final Map<String, String> holders = new HashMap<>();
    private final Set<String> queued = new HashSet<>();
    /** Sessions with a place whose next turn is due and waits for a slot. */
    private final Set<String> waitingForSlot = new HashSet<>();

    /** @param capacity realtime.max-live-sessions */
    public LivePlaces(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Whether run {@code runToken} of {@code sessionId} has a place: it keeps the one it has, or takes a free one. A
     * session refused counts as queued until it gets one or {@link #leave leaves}.
     */
    synchronized boolean take(String sessionId, String runToken) {
        String holder = holders.get(sessionId);
        if (holder != null && holder.equals(runToken)) {
            return true;
        }
        if (holder == null && holders.size() >= capacity) {
            queued.add(sessionId);
            return false;
        }
        holders.put(sessionId, runToken); // a new run of the same session takes over its place
        queued.remove(sessionId);
        return true;
    }

    /** Whether run {@code runToken} of {@code sessionId} holds a place now. */
    synchronized boolean holds(String sessionId, String runToken) {
        return runToken.equals(holders.get(sessionId));
    }

    /**
     * The session, which has a place, has a turn due and found no free slot: until it {@link #stopsWaiting stops
     * waiting}, no batch session takes a slot that frees (the {@link AdmissionGate} holds one back for it).
     */
    synchronized void waitsForSlot(String sessionId) {
        if (holders.containsKey(sessionId)) {
            waitingForSlot.add(sessionId);
        }
    }

    /** The session got its slot, or has nothing due any more. */
    synchronized void stopsWaiting(String sessionId) {
        waitingForSlot.remove(sessionId);
    }

    /** Live sessions with a place whose turn is due and waits for a slot now. */
    synchronized int waitingForSlot() {
        return waitingForSlot.size();
    }

    /** The session's run ended, or its task closed: its place (or its turn in the queue) is given back. */
    synchronized void leave(String sessionId) {
        holders.remove(sessionId);
        queued.remove(sessionId);
        waitingForSlot.remove(sessionId);
    }

    /** Live sessions holding a place, with or without a connection. */
    public synchronized int held() {
        return holders.size();
    }

    /** Live sessions that found no place and are dispatched like batch sessions. */
    public synchronized int queued() {
        return queued.size();
    }

    public int capacity() {
        return capacity;
    }
}
