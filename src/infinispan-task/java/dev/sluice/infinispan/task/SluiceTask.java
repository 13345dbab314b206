package dev.sluice.infinispan.task;

import org.infinispan.tasks.ServerTask;
import org.infinispan.tasks.TaskContext;
import org.infinispan.tasks.TaskExecutionMode;
import org.infinispan.tasks.TaskInstantiationMode;

import java.util.Set;

/**
 * What Sluice's server tasks have in common: a name, one {@code request} parameter of bytes, execution
 * on the one node the client called, and an instance per execution.
 */
abstract class SluiceTask<T> implements ServerTask<T> {

    private final String name;
    // The server shares one instance between threads unless told otherwise: ISOLATED gives each
    // execution its own, so the context belongs to one call.
    private TaskContext context;

    SluiceTask(String name) {
        this.name = name;
    }

    /** The task's context for this execution. */
    TaskContext context() {
        return context;
    }

    /** The {@code request} parameter. */
    byte[] requestBytes() {
        return LockedBuckets.requestBytes(context, name);
    }

    @Override
    public void setTaskContext(TaskContext taskContext) {
        this.context = taskContext;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public Set<String> getParameters() {
        return Set.of("request");
    }

    @Override
    public TaskExecutionMode getExecutionMode() {
        return TaskExecutionMode.ONE_NODE;
    }

    @Override
    public TaskInstantiationMode getInstantiationMode() {
        return TaskInstantiationMode.ISOLATED;
    }
}
