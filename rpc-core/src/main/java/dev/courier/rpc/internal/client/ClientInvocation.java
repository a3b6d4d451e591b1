package dev.courier.rpc.internal.client;

import dev.courier.rpc.Invocation;
import dev.courier.rpc.ServerTiming;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One consumer call: its method, arguments, attachments and absolute deadline. Not thread-safe: used by
 * the calling thread, and by the one completing the call when it is asynchronous.
 */
public final class ClientInvocation implements Invocation {

    private final MethodInfo info;
    private final Object[] arguments;
    private final Map<String, String> attachments = new HashMap<>();
    private final long startNanos;
    private final long deadlineNanos;
    private final long timeoutMillis;
    private volatile ServerTiming serverTiming;
    private BiConsumer<Object, Throwable> afterAnswer;

    ClientInvocation(MethodInfo info, Object[] arguments, long timeoutMillis) {
        this.info = info;
        this.arguments = arguments == null ? new Object[0] : arguments;
        this.timeoutMillis = timeoutMillis;
        this.startNanos = System.nanoTime();
        this.deadlineNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** When the call was made ({@link System#nanoTime()}), which its deadline counts from. */
    public long startNanos() {
        return startNanos;
    }

    public MethodInfo info() {
        return info;
    }

    @Override
    public String service() {
        return info.service;
    }

    @Override
    public String version() {
        return info.version;
    }

    @Override
    public String group() {
        return info.group;
    }

    @Override
    public Method method() {
        return info.method;
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
        return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    @Override
    public ServerTiming serverTiming() {
        return serverTiming;
    }

    /** Set by each attempt: the timing its response carried, or {@code null}. */
    void serverTiming(ServerTiming timing) {
        this.serverTiming = timing;
    }

    /** The whole deadline the call was given. */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    /**
     * Runs {@code task} with the call's outcome once the caller has it: for a synchronous call on the
     * caller's thread, after its wait ends and before the proxy returns; for an asynchronous one on the
     * thread completing the future the caller holds, after the caller's own stages. Work that would
     * otherwise run on the connection's event loop, which every call on the connection shares. Tasks run
     * in the order given; one that throws does not stop the others.
     *
     * @return false, and {@code task} will not run, when the chain has already returned to the proxy
     */
    public boolean afterAnswer(BiConsumer<Object, Throwable> task) {
        BiConsumer<Object, Throwable> previous = afterAnswer;
        if (previous == TAKEN) {
            return false;
        }
        afterAnswer = previous == null
                ? task
                : (value, error) -> {
                    try {
                        previous.accept(value, error);
                    } finally {
                        task.accept(value, error);
                    }
                };
        return true;
    }

    /** The tasks given to {@link #afterAnswer}, or {@code null}; taken once, when the chain returns. */
    BiConsumer<Object, Throwable> takeAfterAnswer() {
        BiConsumer<Object, Throwable> tasks = afterAnswer;
        afterAnswer = TAKEN;
        return tasks == TAKEN ? null : tasks;
    }

    private static final BiConsumer<Object, Throwable> TAKEN = (value, error) -> {};
}
