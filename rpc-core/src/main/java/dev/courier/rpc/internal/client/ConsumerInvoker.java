package dev.courier.rpc.internal.client;

import dev.courier.proxy.Invoker;
import dev.courier.rpc.ClientInterceptor;
import dev.courier.rpc.Invocation;
import dev.courier.rpc.RpcException;
import dev.courier.rpc.RpcTimeoutException;
import dev.courier.rpc.internal.Primitives;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * Turns proxy calls into invocations, runs them through the client interceptors and hands them to a
 * {@link CallTarget}. A method returning a {@link CompletableFuture} (or {@link CompletionStage}) is
 * asynchronous: the proxy returns the call's future at once. Any other method waits for the result up
 * to the deadline.
 *
 * <p>Thread-safe.
 */
public final class ConsumerInvoker implements Invoker {

    private static final Logger log = LoggerFactory.getLogger(ConsumerInvoker.class);

    /** Extra time a synchronous caller waits past the deadline for the timer to fire. */
    private static final long SYNC_GRACE_MILLIS = 100;

    private final Class<?> serviceInterface;
    private final List<ClientInterceptor> interceptors;
    private final CallTarget target;
    private final long timeoutMillis;
    private final Map<Method, MethodInfo> methods;

    /**
     * @param service the service's name on the wire: {@code serviceInterface}'s name, or the name of a
     *                service that {@code serviceInterface} reaches generically
     */
    public ConsumerInvoker(
            Class<?> serviceInterface,
            String service,
            String version,
            String group,
            List<ClientInterceptor> interceptors,
            CallTarget target,
            long timeoutMillis) {
        this.serviceInterface = serviceInterface;
        this.interceptors = List.copyOf(interceptors);
        this.target = target;
        this.timeoutMillis = timeoutMillis;
        Map<Method, MethodInfo> map = new HashMap<>();
        for (Method m : serviceInterface.getMethods()) {
            map.put(m, new MethodInfo(serviceInterface, service, m, version, group));
        }
        this.methods = map;
    }

    @Override
    public Object invoke(Method method, Object[] args) throws Throwable {
        MethodInfo info = methods.get(method);
        if (info == null) {
            throw new IllegalArgumentException(method + " is not a method of " + serviceInterface.getName());
        }
        ClientInvocation invocation = new ClientInvocation(info, args, timeoutMillis);
        CompletableFuture<Object> result = proceed(0, invocation);
        BiConsumer<Object, Throwable> afterAnswer = invocation.takeAfterAnswer();
        if (info.async) {
            if (afterAnswer != null) {
                result.whenComplete((value, error) -> runAfterAnswer(afterAnswer, value, error));
            }
            return result;
        }
        Object value = null;
        Throwable error = null;
        try {
            value = result.get(invocation.remainingMillis() + SYNC_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            return value;
        } catch (ExecutionException e) {
            error = Primitives.unwrapCompletion(e);
            throw error;
        } catch (TimeoutException e) {
            RpcTimeoutException timeout =
                    new RpcTimeoutException(info.description + " timed out after " + timeoutMillis + " ms");
            result.completeExceptionally(timeout);
            error = timeout;
            throw timeout;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            RpcException interrupted = new RpcException(info.description + " interrupted while waiting", e);
            result.completeExceptionally(interrupted);
            error = interrupted;
            throw interrupted;
        } finally {
            LastServerTiming.set(invocation.serverTiming());
            if (afterAnswer != null) {
                runAfterAnswer(afterAnswer, value, error);
            }
        }
    }

    private static void runAfterAnswer(BiConsumer<Object, Throwable> tasks, Object value, Throwable error) {
        try {
            tasks.accept(value, error == null ? null : Primitives.unwrapCompletion(error));
        } catch (RuntimeException e) {
            log.warn("A task run after a call's answer failed", e);
        }
    }

    private CompletableFuture<Object> proceed(int index, Invocation invocation) {
        try {
            if (index == interceptors.size()) {
                return target.call((ClientInvocation) invocation);
            }
            CompletableFuture<Object> f = interceptors.get(index).intercept(invocation, new Next(index + 1));
            if (f == null) {
                throw new IllegalStateException("Client interceptor " + interceptors.get(index) + " returned null");
            }
            return f;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The rest of the chain after one interceptor; may be proceeded through once. */
    private final class Next implements ClientInterceptor.Chain {
        private final int index;
        private boolean called;

        Next(int index) {
            this.index = index;
        }

        @Override
        public CompletableFuture<Object> proceed(Invocation invocation) {
            if (called) {
                throw new IllegalStateException(
                        "Client interceptor " + interceptors.get(index - 1) + " called proceed() twice");
            }
            called = true;
            if (!(invocation instanceof ClientInvocation)) {
                throw new IllegalArgumentException("Interceptors must pass on the invocation they were given");
            }
            return ConsumerInvoker.this.proceed(index, invocation);
        }
    }
}
