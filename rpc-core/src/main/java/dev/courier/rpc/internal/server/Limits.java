package dev.courier.rpc.internal.server;

import dev.courier.rpc.Invocation;
import dev.courier.rpc.ServerInterceptor;
import dev.courier.rpc.internal.MethodKeys;
import dev.courier.rpc.internal.protocol.Status;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's rate limiters and bulkheads (resilience4j), per service and per method. A request over a
 * limit is refused at once without running: {@link Status#RATE_LIMITED} for a rate limit,
 * {@link Status#SERVER_BUSY} for a full bulkhead. A bulkhead permit is held until an asynchronous
 * method's result completes. Limits are added before the server starts; thread-safe once it has.
 */
public final class Limits implements ServerInterceptor {

    private final Map<String, RateLimiter> rateLimiters = new HashMap<>();
    private final Map<String, Bulkhead> bulkheads = new HashMap<>();
    /**
     * Each exported method's limits, found on its first call rather than from keys built on every call.
     * Keyed by invoker: one per method of each exported service, so bounded by what was exported.
     */
    private final Map<MethodInvoker, Bound> bound = new ConcurrentHashMap<>();

    /**
     * Adds a limit of {@code permitsPerSecond} (0 = none) on a service, or one method when {@code method} is not null.
     */
    public void rateLimit(String serviceKey, String method, int permitsPerSecond) {
        if (permitsPerSecond > 0) {
            String key = key(serviceKey, method);
            rateLimiters.put(
                    key,
                    RateLimiter.of(
                            "courier-" + key,
                            RateLimiterConfig.custom()
                                    .limitForPeriod(permitsPerSecond)
                                    .limitRefreshPeriod(Duration.ofSeconds(1))
                                    .timeoutDuration(Duration.ZERO)
                                    .build()));
        }
    }

    /** Adds a limit of {@code maxConcurrent} calls running at once (0 = none). */
    public void bulkhead(String serviceKey, String method, int maxConcurrent) {
        if (maxConcurrent > 0) {
            String key = key(serviceKey, method);
            bulkheads.put(
                    key,
                    Bulkhead.of(
                            "courier-" + key,
                            BulkheadConfig.custom()
                                    .maxConcurrentCalls(maxConcurrent)
                                    .maxWaitDuration(Duration.ZERO)
                                    .build()));
        }
    }

    public boolean isEmpty() {
        return rateLimiters.isEmpty() && bulkheads.isEmpty();
    }

    @Override
    public Object intercept(Invocation invocation, Chain chain) throws Throwable {
        Bound limits = invocation instanceof ServerInvocation call
                ? bound.computeIfAbsent(call.invoker(), i -> bind(invocation))
                : bind(invocation);
        for (int i = 0; i < limits.rateLimiters.length; i++) {
            RateLimiter limiter = limits.rateLimiters[i];
            if (!limiter.acquirePermission()) {
                throw new Rejection(
                        Status.RATE_LIMITED,
                        "Rate limit of " + limiter.getRateLimiterConfig().getLimitForPeriod() + " calls/s reached for "
                                + limits.rateLimiterKeys[i]);
            }
        }
        Bulkhead[] bulkheads = limits.bulkheads;
        for (int i = 0; i < bulkheads.length; i++) {
            if (!bulkheads[i].tryAcquirePermission()) {
                release(bulkheads, i);
                throw new Rejection(
                        Status.SERVER_BUSY,
                        "Concurrency limit of "
                                + bulkheads[i].getBulkheadConfig().getMaxConcurrentCalls() + " calls reached for "
                                + limits.bulkheadKeys[i]);
            }
        }
        if (bulkheads.length == 0) {
            return chain.proceed(invocation);
        }
        Object result;
        try {
            result = chain.proceed(invocation);
        } catch (Throwable t) {
            release(bulkheads, bulkheads.length);
            throw t;
        }
        if (result instanceof CompletionStage<?> stage) {
            stage.whenComplete((v, e) -> release(bulkheads, bulkheads.length));
        } else {
            release(bulkheads, bulkheads.length);
        }
        return result;
    }

    /** Gives back the permits of the first {@code count} bulkheads. */
    private static void release(Bulkhead[] bulkheads, int count) {
        for (int i = 0; i < count; i++) {
            bulkheads[i].onComplete();
        }
    }

    /** The limits that apply to the invocation's method: the service's first, then the method's own. */
    private Bound bind(Invocation invocation) {
        String service = MethodKeys.serviceKey(invocation.service(), invocation.version(), invocation.group());
        List<String> keys = List.of(service, key(service, invocation.method().getName()));
        List<String> limiterKeys = new ArrayList<>(2);
        List<RateLimiter> limiters = new ArrayList<>(2);
        List<String> bulkheadKeys = new ArrayList<>(2);
        List<Bulkhead> heads = new ArrayList<>(2);
        for (String key : keys) {
            RateLimiter limiter = rateLimiters.get(key);
            if (limiter != null) {
                limiterKeys.add(key);
                limiters.add(limiter);
            }
            Bulkhead bulkhead = bulkheads.get(key);
            if (bulkhead != null) {
                bulkheadKeys.add(key);
                heads.add(bulkhead);
            }
        }
        return new Bound(
                limiters.toArray(new RateLimiter[0]),
                limiterKeys.toArray(new String[0]),
                heads.toArray(new Bulkhead[0]),
                bulkheadKeys.toArray(new String[0]));
    }

    /** The limiters and bulkheads of one exported method, with the keys they were set on (for messages). */
    private record Bound(
            RateLimiter[] rateLimiters, String[] rateLimiterKeys, Bulkhead[] bulkheads, String[] bulkheadKeys) {}

    private static String key(String serviceKey, String method) {
        return method == null ? serviceKey : serviceKey + '#' + method;
    }
}
