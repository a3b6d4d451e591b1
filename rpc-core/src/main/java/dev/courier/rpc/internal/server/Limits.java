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

/**
 * The server's rate limiters and bulkheads (resilience4j), per service and per method. A request over a
 * limit is refused at once without running: {@link Status#RATE_LIMITED} for a rate limit,
 * {@link Status#SERVER_BUSY} for a full bulkhead. A bulkhead permit is held until an asynchronous
 * method's result completes. Immutable after construction and thread-safe.
 */
public final class Limits implements ServerInterceptor {

    private final Map<String, RateLimiter> rateLimiters = new HashMap<>();
    private final Map<String, Bulkhead> bulkheads = new HashMap<>();

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
        String service = MethodKeys.serviceKey(invocation.service(), invocation.version(), invocation.group());
        String method = key(service, invocation.method().getName());
        for (String key : new String[] {service, method}) {
            RateLimiter limiter = rateLimiters.get(key);
            if (limiter != null && !limiter.acquirePermission()) {
                throw new Rejection(
                        Status.RATE_LIMITED,
                        "Rate limit of " + limiter.getRateLimiterConfig().getLimitForPeriod() + " calls/s reached for "
                                + key);
            }
        }
        List<Bulkhead> held = new ArrayList<>(2);
        for (String key : new String[] {service, method}) {
            Bulkhead bulkhead = bulkheads.get(key);
            if (bulkhead != null) {
                if (!bulkhead.tryAcquirePermission()) {
                    held.forEach(Bulkhead::onComplete);
                    throw new Rejection(
                            Status.SERVER_BUSY,
                            "Concurrency limit of "
                                    + bulkhead.getBulkheadConfig().getMaxConcurrentCalls() + " calls reached for "
                                    + key);
                }
                held.add(bulkhead);
            }
        }
        if (held.isEmpty()) {
            return chain.proceed(invocation);
        }
        Object result;
        try {
            result = chain.proceed(invocation);
        } catch (Throwable t) {
            held.forEach(Bulkhead::onComplete);
            throw t;
        }
        if (result instanceof CompletionStage<?> stage) {
            stage.whenComplete((v, e) -> held.forEach(Bulkhead::onComplete));
        } else {
            held.forEach(Bulkhead::onComplete);
        }
        return result;
    }

    private static String key(String serviceKey, String method) {
        return method == null ? serviceKey : serviceKey + '#' + method;
    }
}
