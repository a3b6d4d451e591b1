package dev.courier.rpc.internal.client;

import dev.courier.proxy.Invoker;
import dev.courier.rpc.RpcException;
import dev.courier.rpc.RpcTimeoutException;
import dev.courier.rpc.internal.MethodKeys;
import dev.courier.rpc.internal.Primitives;
import dev.courier.rpc.internal.protocol.OutboundRequest;
import dev.courier.rpc.internal.protocol.RequestHead;
import dev.courier.rpc.RpcProtocolException;
import dev.courier.serialization.CompressionPolicy;
import dev.courier.serialization.Serializer;
import io.netty.util.Timer;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns proxy calls into requests on a {@link ConnectionPool}. A method returning a
 * {@link CompletableFuture} (or {@link CompletionStage}) is asynchronous: the proxy returns the call's
 * future at once. Any other method waits for the result up to the deadline.
 *
 * <p>Every call ends within its deadline: a timer fails it when the deadline passes, whatever the
 * connection does.
 *
 * <p>Thread-safe.
 */
public final class ReferenceInvoker implements Invoker {

    /** Extra time a synchronous caller waits past the deadline for the timer to fire. */
    private static final long SYNC_GRACE_MILLIS = 100;

    private final Class<?> serviceInterface;
    private final ConnectionPool pool;
    private final Serializer serializer;
    private final CompressionPolicy compression;
    private final Timer timer;
    private final AtomicLong ids;
    private final long timeoutMillis;
    private final Map<Method, MethodInfo> methods;

    public ReferenceInvoker(Class<?> serviceInterface, String version, String group, ConnectionPool pool,
                            Serializer serializer, CompressionPolicy compression, Timer timer, AtomicLong ids,
                            long timeoutMillis) {
        this.compression = compression;
        this.serviceInterface = serviceInterface;
        this.pool = pool;
        this.serializer = serializer;
        this.timer = timer;
        this.ids = ids;
        this.timeoutMillis = timeoutMillis;
        Map<Method, MethodInfo> map = new HashMap<>();
        for (Method m : serviceInterface.getMethods()) {
            map.put(m, new MethodInfo(serviceInterface, m, version, group));
        }
        this.methods = map;
    }

    @Override
    public Object invoke(Method method, Object[] args) throws Throwable {
        MethodInfo info = methods.get(method);
        if (info == null) {
            throw new IllegalArgumentException(method + " is not a method of " + serviceInterface.getName());
        }
        PendingCall call = send(info, args);
        if (info.async) {
            return call;
        }
        try {
            return call.get(timeoutMillis + SYNC_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw Primitives.unwrapCompletion(e);
        } catch (TimeoutException e) {
            RpcTimeoutException timeout = new RpcTimeoutException(info.description + " timed out after "
                    + timeoutMillis + " ms");
            call.fail(timeout);
            throw timeout;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            RpcException interrupted = new RpcException(info.description + " interrupted while waiting", e);
            call.fail(interrupted);
            throw interrupted;
        }
    }

    private PendingCall send(MethodInfo info, Object[] args) {
        long id = ids.incrementAndGet();
        PendingCall call = new PendingCall(id, serializer, info.resultType, info.description);
        call.deadline(timer.newTimeout(t -> call.expire(timeoutMillis), timeoutMillis, TimeUnit.MILLISECONDS));
        RequestHead head = new RequestHead(info.service, info.version, info.group, info.name, info.params,
                (int) Math.min(Integer.MAX_VALUE, timeoutMillis), Map.of());
        OutboundRequest request = new OutboundRequest(id, 0, serializer, compression, head, args, error ->
                call.fail(new RpcProtocolException(info.description + ": arguments could not be serialized: "
                        + error.getMessage(), error)));
        pool.acquire((connection, error) -> {
            if (error != null) {
                call.fail(Primitives.unwrapCompletion(error));
            } else if (!call.isDone()) {
                connection.send(call, request);
            }
        });
        return call;
    }

    /** What a call of one method needs, computed once. */
    private static final class MethodInfo {
        final String service;
        final String version;
        final String group;
        final String name;
        final String params;
        final boolean async;
        final Class<?> resultType;
        final String description;

        MethodInfo(Class<?> serviceInterface, Method m, String version, String group) {
            this.service = serviceInterface.getName();
            this.version = version;
            this.group = group;
            this.name = m.getName();
            this.params = MethodKeys.parameterDescriptor(m);
            Class<?> rt = m.getReturnType();
            this.async = rt == CompletableFuture.class || rt == CompletionStage.class;
            this.resultType = async ? Object.class : rt;
            this.description = serviceInterface.getSimpleName() + "." + m.getName();
        }
    }
}
