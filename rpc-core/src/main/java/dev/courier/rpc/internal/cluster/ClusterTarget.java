package dev.courier.rpc.internal.cluster;

import dev.courier.registry.ServiceInstance;
import dev.courier.rpc.FaultTolerance;
import dev.courier.rpc.NoProviderException;
import dev.courier.rpc.RpcTimeoutException;
import dev.courier.rpc.internal.Primitives;
import dev.courier.rpc.internal.client.CallTarget;
import dev.courier.rpc.internal.client.ClientInvocation;
import dev.courier.rpc.internal.client.RequestSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Sends a reference's calls to a cluster: directory, then router, then the endpoints the load balancer
 * may pick (not draining, breaker not open), then the fault-tolerance mode. Every attempt gets what is
 * left of the call's deadline, so the call as a whole still ends by its deadline.
 *
 * <p>Thread-safe.
 */
public final class ClusterTarget implements CallTarget {

    private static final Logger log = LoggerFactory.getLogger(ClusterTarget.class);

    private final Directory directory;
    private final Router router;
    private final LoadBalancer balancer;
    private final FaultTolerance mode;
    private final int retries;
    private final int forks;
    private final RetryBudget budget;
    private final RequestSender sender;
    private final Function<ServiceInstance, Endpoint> endpoints;
    private final Runnable onRetry;

    public ClusterTarget(
            Directory directory,
            Router router,
            LoadBalancer balancer,
            FaultTolerance mode,
            int retries,
            int forks,
            RetryBudget budget,
            RequestSender sender,
            Function<ServiceInstance, Endpoint> endpoints,
            Runnable onRetry) {
        this.directory = directory;
        this.router = router;
        this.balancer = balancer;
        this.mode = mode;
        this.retries = retries;
        this.forks = forks;
        this.budget = budget;
        this.sender = sender;
        this.endpoints = endpoints;
        this.onRetry = onRetry;
    }

    @Override
    public CompletableFuture<Object> call(ClientInvocation invocation) {
        budget.deposit();
        switch (mode) {
            case FAILFAST:
                return once(invocation);
            case FAILSAFE:
                return once(invocation).exceptionally(error -> {
                    log.warn(
                            "{} failed; returning the default value (failsafe)",
                            invocation.info().description(),
                            Primitives.unwrapCompletion(error));
                    return Primitives.defaultValue(invocation.info().resultType());
                });
            case FORKING:
                return forking(invocation);
            case FAILOVER:
            default:
                CompletableFuture<Object> result = new CompletableFuture<>();
                failover(invocation, result, new HashSet<>(), retries, null);
                return result;
        }
    }

    private CompletableFuture<Object> once(ClientInvocation invocation) {
        Provider p = select(invocation, Set.of());
        return p == null ? CompletableFuture.failedFuture(noProvider(invocation)) : attempt(invocation, p);
    }

    private void failover(
            ClientInvocation invocation,
            CompletableFuture<Object> result,
            Set<String> tried,
            int retriesLeft,
            Throwable last) {
        if (last != null && invocation.remainingMillis() <= 0) {
            result.completeExceptionally(last);
            return;
        }
        Provider p = select(invocation, tried);
        if (p == null) {
            result.completeExceptionally(last != null ? last : noProvider(invocation));
            return;
        }
        attempt(invocation, p).whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
                return;
            }
            Throwable cause = Primitives.unwrapCompletion(error);
            tried.add(p.id());
            if (retriesLeft > 0
                    && Failures.retriable(cause, invocation.info().idempotent())
                    && invocation.remainingMillis() > 0
                    && budget.tryRetry()) {
                onRetry.run();
                log.debug(
                        "{} failed on {} ({}); trying another provider",
                        invocation.info().description(),
                        p.id(),
                        cause.toString());
                failover(invocation, result, tried, retriesLeft - 1, cause);
            } else {
                result.completeExceptionally(cause);
            }
        });
    }

    private CompletableFuture<Object> forking(ClientInvocation invocation) {
        Set<String> chosen = new HashSet<>();
        List<Provider> picked = new ArrayList<>();
        for (int i = 0; i < forks; i++) {
            Provider p = select(invocation, chosen);
            if (p == null) {
                break;
            }
            chosen.add(p.id());
            picked.add(p);
        }
        if (picked.isEmpty()) {
            return CompletableFuture.failedFuture(noProvider(invocation));
        }
        CompletableFuture<Object> result = new CompletableFuture<>();
        AtomicInteger failures = new AtomicInteger();
        for (Provider p : picked) {
            attempt(invocation, p).whenComplete((value, error) -> {
                if (error == null) {
                    result.complete(value);
                } else if (failures.incrementAndGet() == picked.size()) {
                    result.completeExceptionally(Primitives.unwrapCompletion(error));
                }
            });
        }
        return result;
    }

    private CompletableFuture<Object> attempt(ClientInvocation invocation, Provider p) {
        Endpoint e = p.endpoint();
        if (invocation.remainingMillis() <= 0) {
            e.breaker().releasePermission();
            return CompletableFuture.failedFuture(new RpcTimeoutException(
                    invocation.info().description() + " timed out after " + invocation.timeoutMillis() + " ms"));
        }
        e.begin();
        long start = System.nanoTime();
        return sender.send(invocation, e.pool()).whenComplete((value, error) -> {
            Throwable cause = error == null ? null : Primitives.unwrapCompletion(error);
            e.end(System.nanoTime() - start, cause, cause != null && Failures.breakerFailure(cause));
        });
    }

    /** A provider not in {@code excluded} that balancing may use and whose breaker lets the call through. */
    private Provider select(ClientInvocation invocation, Set<String> excluded) {
        List<Provider> candidates = new ArrayList<>();
        for (ServiceInstance instance : router.route(directory.instances())) {
            Endpoint e = endpoints.apply(instance);
            if (!excluded.contains(e.id()) && e.available()) {
                candidates.add(new Provider(instance, e));
            }
        }
        while (!candidates.isEmpty()) {
            Provider p = balancer.select(candidates, invocation);
            if (p.endpoint().tryAcquire()) {
                return p;
            }
            candidates.remove(p);
        }
        return null;
    }

    private NoProviderException noProvider(ClientInvocation invocation) {
        return new NoProviderException("No available provider of " + directory.key() + " for "
                + invocation.info().description() + " (" + directory.instances().size() + " registered)");
    }
}
