package dev.courier.rpc.bootstrap.options;

import dev.courier.rpc.Invocation;
import dev.courier.rpc.ServerInterceptor;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server interceptor found through {@code META-INF/services}: every {@link dev.courier.rpc.Courier}
 * of this module's tests runs it; it only records the first argument of each call.
 */
public class ListedServerInterceptor implements ServerInterceptor {

    public static final List<Object> FIRST_ARGUMENTS = new CopyOnWriteArrayList<>();

    @Override
    public Object intercept(Invocation invocation, Chain chain) throws Throwable {
        Object[] args = invocation.arguments();
        if (args != null && args.length > 0) {
            FIRST_ARGUMENTS.add(args[0]);
        }
        return chain.proceed(invocation);
    }
}
