package dev.courier.mq.broker.internal;

import dev.courier.mq.client.protocol.TransactionCheck;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The checkers of producer groups waiting for transaction checks (long polls), by group. A check goes to the
 * longest-waiting checker of its group that may publish to the transaction's topic. Futures are completed
 * outside the monitor. Thread-safe.
 */
final class TransactionCheckers {

    private record Waiter(CompletableFuture<List<TransactionCheck>> future, long deadline, Predicate<String> mayUse) {}

    private final Map<String, ArrayDeque<Waiter>> waiting = new HashMap<>();

    /** A checker of {@code group} waits until {@code deadline} for a check of a topic {@code mayUse} accepts. */
    CompletableFuture<List<TransactionCheck>> poll(String group, long deadline, Predicate<String> mayUse) {
        CompletableFuture<List<TransactionCheck>> f = new CompletableFuture<>();
        synchronized (this) {
            waiting.computeIfAbsent(group, g -> new ArrayDeque<>()).add(new Waiter(f, deadline, mayUse));
        }
        return f;
    }

    /** Hands {@code check} to a waiting checker of {@code group}; false if none is waiting. */
    boolean offer(String group, TransactionCheck check) {
        Waiter chosen = null;
        synchronized (this) {
            ArrayDeque<Waiter> q = waiting.get(group);
            if (q != null) {
                for (Iterator<Waiter> it = q.iterator(); it.hasNext(); ) {
                    Waiter w = it.next();
                    if (w.future().isDone()) {
                        it.remove();
                    } else if (w.mayUse().test(check.topic())) {
                        it.remove();
                        chosen = w;
                        break;
                    }
                }
                if (q.isEmpty()) {
                    waiting.remove(group);
                }
            }
        }
        return chosen != null && chosen.future().complete(List.of(check));
    }

    /** Answers the polls whose wait passed with no check. */
    void expire(long now) {
        List<Waiter> expired = new ArrayList<>();
        synchronized (this) {
            for (Iterator<ArrayDeque<Waiter>> groups = waiting.values().iterator(); groups.hasNext(); ) {
                ArrayDeque<Waiter> q = groups.next();
                for (Iterator<Waiter> it = q.iterator(); it.hasNext(); ) {
                    Waiter w = it.next();
                    if (w.deadline() <= now || w.future().isDone()) {
                        it.remove();
                        expired.add(w);
                    }
                }
                if (q.isEmpty()) {
                    groups.remove();
                }
            }
        }
        expired.forEach(w -> w.future().complete(List.of()));
    }

    /** Answers every poll (the broker is closing). */
    void closeAll() {
        expire(Long.MAX_VALUE);
    }
}
