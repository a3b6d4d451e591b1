package dev.courier.benchmark.jmh;

import dev.courier.rpc.Invocation;
import dev.courier.rpc.internal.MethodKeys;
import dev.courier.rpc.internal.server.Limits;
import dev.courier.rpc.internal.server.ServerInvocation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the server's limits cost a call that passes them: a service-wide bulkhead and a per-method rate
 * limiter high enough never to refuse ({@code limits=both}), or a bulkhead alone, checked by
 * {@link Limits} for one invocation of an exported method, as {@code ServerHandler} hands it over.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LimitsBenchmark {

    /** The called interface. */
    public interface Echo {
        String echo(String s);
    }

    private static final String SERVICE = Echo.class.getName();

    @Param({"bulkhead", "both"})
    String limits;

    private Limits interceptor;
    private Invocation invocation;

    @Setup
    public void setUp() throws ReflectiveOperationException {
        interceptor = new Limits();
        String serviceKey = MethodKeys.serviceKey(SERVICE, "1.0", "");
        interceptor.bulkhead(serviceKey, null, 1_000_000);
        if (limits.equals("both")) {
            interceptor.rateLimit(serviceKey, "echo", Integer.MAX_VALUE);
        }
        Method echo = Echo.class.getMethod("echo", String.class);
        Echo target = s -> s;
        // The invocation ServerHandler makes: both constructors are the server's own, so reached here by reflection.
        Class<?> invokerClass = Class.forName("dev.courier.rpc.internal.server.MethodInvoker");
        Constructor<?> newInvoker = invokerClass.getDeclaredConstructor(Method.class, Object.class);
        newInvoker.setAccessible(true);
        Object invoker = newInvoker.newInstance(echo, target);
        Constructor<ServerInvocation> newInvocation = ServerInvocation.class.getDeclaredConstructor(
                String.class, String.class, String.class, invokerClass, Object[].class, Map.class, long.class);
        newInvocation.setAccessible(true);
        invocation = newInvocation.newInstance(SERVICE, "1.0", "", invoker, new Object[] {"x"}, Map.of(), 0L);
    }

    @Benchmark
    public Object call() throws Throwable {
        return interceptor.intercept(invocation, inv -> "x");
    }
}
