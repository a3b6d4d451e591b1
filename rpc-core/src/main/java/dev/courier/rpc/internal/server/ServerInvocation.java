package dev.courier.rpc.internal.server;

import dev.courier.rpc.Invocation;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One request as server interceptors see it. Not thread-safe. */
final class ServerInvocation implements Invocation {

    private final String service;
    private final String version;
    private final String group;
    private final MethodInvoker invoker;
    private final Object[] arguments;
    private final Map<String, String> attachments;
    private final long deadlineNanos;

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
}
