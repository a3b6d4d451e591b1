package dev.courier.rpc.internal.cluster;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps retries to a fraction of calls, so that during an outage retries cannot multiply the load: each
 * call deposits {@code ratio} of a token (up to {@code maxTokens}), each retry withdraws one. It starts
 * with {@code minTokens} so that a quiet client can still retry. Lock-free and thread-safe.
 */
public final class RetryBudget {

    private static final long UNIT = 1000;

    private final long deposit;
    private final long max;
    private final AtomicLong balance;

    public RetryBudget(double ratio, int minTokens, int maxTokens) {
        if (ratio < 0 || minTokens < 0 || maxTokens < minTokens) {
            throw new IllegalArgumentException(
                    "bad retry budget: ratio " + ratio + ", min " + minTokens + ", max " + maxTokens);
        }
        this.deposit = Math.round(ratio * UNIT);
        this.max = maxTokens * UNIT;
        this.balance = new AtomicLong(minTokens * UNIT);
    }

    /** The default budget: retries up to 20% of calls, bursts of 10 at the start, at most 100 saved. */
    public static RetryBudget defaults() {
        return new RetryBudget(0.2, 10, 100);
    }

    /** Records a call. */
    public void deposit() {
        balance.getAndUpdate(b -> Math.min(max, b + deposit));
    }

    /** Takes a token for one retry; false if the budget is spent. */
    public boolean tryRetry() {
        while (true) {
            long b = balance.get();
            if (b < UNIT) {
                return false;
            }
            if (balance.compareAndSet(b, b - UNIT)) {
                return true;
            }
        }
    }
}
