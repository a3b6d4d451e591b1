package dev.courier.rpc.internal.cluster;

import dev.courier.rpc.internal.client.ConnectionPool;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One provider address as the cluster sees it: its connections, its circuit breaker, the calls in
 * flight to it and a peak latency EWMA (a slower response raises it at once; it decays towards faster
 * ones with a time constant of {@value #DECAY_MILLIS} ms). Shared by every reference of one client.
 *
 * <p>An endpoint is offered to balancing unless it is draining or its breaker is open and not yet due a
 * half-open probe.
 *
 * <p>Thread-safe.
 */
public final class Endpoint {

    static final long DECAY_MILLIS = 2_000;
    private static final double DECAY_NANOS = TimeUnit.MILLISECONDS.toNanos(DECAY_MILLIS);

    private final String id;
    private final ConnectionPool pool;
    private final CircuitBreaker breaker;
    private final long openWaitNanos;
    private final AtomicInteger active = new AtomicInteger();
    private volatile long openedAtNanos;
    private double ewma;
    private long lastObservedNanos;

    public Endpoint(String id, ConnectionPool pool, CircuitBreaker breaker) {
        this.id = id;
        this.pool = pool;
        this.breaker = breaker;
        this.openWaitNanos = TimeUnit.MILLISECONDS.toNanos(breaker.getCircuitBreakerConfig()
                .getWaitIntervalFunctionInOpenState()
                .apply(1));
        breaker.getEventPublisher().onStateTransition(e -> {
            if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                openedAtNanos = System.nanoTime();
            }
        });
    }

    public String id() {
        return id;
    }

    public ConnectionPool pool() {
        return pool;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Whether balancing may pick this endpoint now. */
    public boolean available() {
        if (pool.isDraining()) {
            return false;
        }
        CircuitBreaker.State state = breaker.getState();
        if (state == CircuitBreaker.State.OPEN) {
            return System.nanoTime() - openedAtNanos >= openWaitNanos;
        }
        return state != CircuitBreaker.State.FORCED_OPEN;
    }

    /** Asks the breaker for a call; in half-open state only a few probes get through. */
    public boolean tryAcquire() {
        return breaker.tryAcquirePermission();
    }

    public int active() {
        return active.get();
    }

    /** A call was sent. */
    public void begin() {
        active.incrementAndGet();
    }

    /**
     * A call ended after {@code elapsedNanos}. {@code breakerFailure} says whether it counts against the
     * provider's health; anything else (including an error the service threw) counts as healthy.
     */
    public void end(long elapsedNanos, Throwable error, boolean breakerFailure) {
        active.decrementAndGet();
        if (error != null && breakerFailure) {
            breaker.onError(elapsedNanos, TimeUnit.NANOSECONDS, error);
        } else {
            breaker.onSuccess(elapsedNanos, TimeUnit.NANOSECONDS);
            observe(elapsedNanos);
        }
    }

    synchronized void observe(long rttNanos) {
        long now = System.nanoTime();
        if (lastObservedNanos == 0 || rttNanos > ewma) {
            ewma = rttNanos;
        } else {
            double w = Math.exp(-(now - lastObservedNanos) / DECAY_NANOS);
            ewma = ewma * w + rttNanos * (1 - w);
        }
        lastObservedNanos = now;
    }

    public synchronized double latencyEwmaNanos() {
        return ewma;
    }

    @Override
    public String toString() {
        return "Endpoint[" + id + ", " + breaker.getState() + ", active=" + active.get() + "]";
    }
}
