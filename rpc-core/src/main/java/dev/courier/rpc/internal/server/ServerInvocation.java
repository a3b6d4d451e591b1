package dev.courier.rpc.internal.server;

import dev.courier.rpc.Invocation;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One request as server interceptors see it. Not thread-safe: used by the thread running the call, and
 * by the one completing it when the method is asynchronous.
 */
public final class ServerInvocation implements Invocation {

    private final String service;
    private final String version;
    private final String group;
    private final MethodInvoker invoker;
    private final Object[] arguments;
    private final Map<String, String> attachments;
    private final long deadlineNanos;
    private Runnable afterResponse;
    private long ranNanos = -1;

    ServerInvocation(
            String service,
            String version,
            String group,
            MethodInvoker invoker,
            Object[] arguments,
            Map<String, String> attachments,
            long deadlineNanos) {
        this.service = service;
        this.version = version;
        this.group = group;
        this.invoker = invoker;
        this.arguments = arguments;
        this.attachments = attachments;
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public String service() {
        return service;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public String group() {
        return group;
    }

    @Override
    public Method method() {
        return invoker.method();
    }

    @Override
    public Object[] arguments() {
        return arguments;
    }

    @Override
    public Map<String, String> attachments() {
        return attachments;
    }

    @Override
    public long remainingMillis() {
        return deadlineNanos == 0 ? Long.MAX_VALUE : TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    MethodInvoker invoker() {
        return invoker;
    }

    /**
     * Runs {@code task} once the call's response is queued for writing, or at once when it already is:
     * for work that need not delay the answer, such as keeping metrics. Tasks run in the order given, on
     * the thread that queued the response; one that throws does not stop the others.
     */
    public void afterResponse(Runnable task) {
        Runnable previous = afterResponse;
        if (previous == RESPONDED) {
            task.run();
        } else {
            afterResponse = previous == null
                    ? task
                    : () -> {
                        try {
                            previous.run();
                        } finally {
                            task.run();
                        }
                    };
        }
    }

    /**
     * How long the call ran, from the moment it left the queue until its outcome was known (the execution
     * time its response reports, in nanoseconds): known to the tasks of {@link #afterResponse}, and -1
     * before.
     */
    public long ranNanos() {
        return ranNanos;
    }

    /** Marks the response queued, after the call ran for {@code ranNanos}, and runs what waited for it. */
    void responded(long ranNanos) {
        this.ranNanos = ranNanos;
        responded();
    }

    /** Marks the response queued and runs what waited for it. */
    private void responded() {
        Runnable tasks = afterResponse;
        afterResponse = RESPONDED;
        if (tasks != null && tasks != RESPONDED) {
            tasks.run();
        }
    }

    private static final Runnable RESPONDED = () -> {};
}
