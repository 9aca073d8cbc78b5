package dev.streamscribe.topology;

import org.apache.kafka.streams.processor.TaskId;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link TaskQueues} of every task in this JVM, created when a task's processors start and dropped when it
 * closes.
 *
 * <p>Threading: thread-safe (a concurrent map); each task's queues have their own rules.
 */
public final class DispatchQueues {
    private final Map<TaskId, TaskQueues> tasks = new ConcurrentHashMap<>();

    TaskQueues forTask(TaskId task) {
        return tasks.computeIfAbsent(task, t -> new TaskQueues());
    }

    void forget(TaskId task) {
        tasks.remove(task);
    }

    /** Sessions waiting for a slot, in every task of this JVM. */
    public int waiting() {
        return tasks.values().stream().mapToInt(TaskQueues::waitingCount).sum();
    }

    /** Whether some finished attempt has not been handed to its task's drain yet. */
    public boolean outcomesPending() {
        return tasks.values().stream().anyMatch(TaskQueues::hasCompletions);
    }
}
