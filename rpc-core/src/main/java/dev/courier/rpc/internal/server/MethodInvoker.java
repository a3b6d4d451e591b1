package dev.courier.rpc.internal.server;

import dev.courier.rpc.NonBlocking;
import dev.courier.rpc.internal.generic.GenericCalls;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.concurrent.CompletionStage;

/**
 * Calls one method of one service implementation through a {@link MethodHandle} (spread over an
 * argument array), not {@code Method.invoke}.
 *
 * <p>Immutable and thread-safe.
 */
public final class MethodInvoker {

    private final Method method;
    private final MethodHandle handle;
    private final Class<?>[] parameterTypes;
    private final boolean async;
    private final boolean nonBlocking;
    private final boolean generic;

    MethodInvoker(Method method, Object target) {
        this.method = method;
        this.parameterTypes = method.getParameterTypes();
        this.async = CompletionStage.class.isAssignableFrom(method.getReturnType());
        this.nonBlocking = method.isAnnotationPresent(NonBlocking.class);
        this.generic = method.getDeclaringClass() == GenericCalls.class;
        try {
            method.setAccessible(true);
            this.handle = MethodHandles.lookup()
                    .unreflect(method)
                    .bindTo(target)
                    .asSpreader(Object[].class, parameterTypes.length)
                    .asType(MethodType.methodType(Object.class, Object[].class));
        } catch (IllegalAccessException | RuntimeException e) {
            throw new IllegalArgumentException("Cannot export " + method + ": " + e.getMessage(), e);
        }
    }

    /** Runs the method; returns its result ({@code null} for void), or throws what it threw. */
    public Object invoke(Object[] args) throws Throwable {
        return (Object) handle.invokeExact(args);
    }

    public Class<?>[] parameterTypes() {
        return parameterTypes;
    }

    /** Whether the method returns a {@link CompletionStage} whose completion is the result. */
    public boolean isAsync() {
        return async;
    }

    /** Whether the interface marks the method {@link NonBlocking}: it runs on the I/O thread. */
    public boolean nonBlocking() {
        return nonBlocking;
    }

    public Method method() {
        return method;
    }

    /** Whether this is one of the {@link GenericCalls} every service answers, not a method of its own. */
    public boolean generic() {
        return generic;
    }
}
