package dev.courier.rpc.internal.client;

import dev.courier.rpc.Invocation;
import dev.courier.rpc.ServerTiming;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One consumer call: its method, arguments, attachments and absolute deadline. Not thread-safe. */
public final class ClientInvocation implements Invocation {

    private final MethodInfo info;
    private final Object[] arguments;
    private final Map<String, String> attachments = new HashMap<>();
    private final long deadlineNanos;
    private final long timeoutMillis;
    private volatile ServerTiming serverTiming;

    ClientInvocation(MethodInfo info, Object[] arguments, long timeoutMillis) {
        this.info = info;
        this.arguments = arguments == null ? new Object[0] : arguments;
        this.timeoutMillis = timeoutMillis;
        this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
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
}
