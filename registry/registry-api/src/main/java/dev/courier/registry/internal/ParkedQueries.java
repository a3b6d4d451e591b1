package dev.courier.registry.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Long polls of a store whose state one lock guards: queries with nothing new to answer yet, parked
 * until what they watch changes or their wait elapses. An answer is computed under the lock and
 * completed on {@code answers}, outside it; an answered query's timeout is cancelled, so no task is
 * left behind for the rest of its wait.
 *
 * <p>Every method is called with the lock held, except that the timeouts take it themselves.
 *
 * @param <W> what a query watches (a service, a set of services, a lock queue at a version)
 * @param <T> its answer
 */
public final class ParkedQueries<W, T> {

    private final Object lock;
    private final ScheduledExecutorService timer;
    private final Executor answers;
    private final List<Parked<W, T>> parked = new ArrayList<>();

    private static final class Parked<W, T> {
        final W watched;
        final Supplier<T> answer;
        final CompletableFuture<T> future = new CompletableFuture<>();
        ScheduledFuture<?> timeout;

        Parked(W watched, Supplier<T> answer) {
            this.watched = watched;
            this.answer = answer;
        }
    }

    /**
     * @param lock    the store's lock, which callers hold and the timeouts take
     * @param timer   runs the timeouts; give it {@code setRemoveOnCancelPolicy(true)} so that a cancelled
     *                one leaves its queue at once
     * @param answers completes the answers
     */
    public ParkedQueries(Object lock, ScheduledExecutorService timer, Executor answers) {
        this.lock = Objects.requireNonNull(lock, "lock");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.answers = Objects.requireNonNull(answers, "answers");
    }

    /**
     * Parks a query on {@code watched}, answered with {@code answer} (computed under the lock) when a
     * {@link #wake} finds it affected, or after {@code maxWaitMillis} in any case.
     */
    public CompletableFuture<T> park(W watched, Supplier<T> answer, long maxWaitMillis) {
        Parked<W, T> p = new Parked<>(watched, answer);
        parked.add(p);
        p.timeout = timer.schedule(
                () -> {
                    synchronized (lock) {
                        if (parked.remove(p)) {
                            answer(p);
                        }
                    }
                },
                maxWaitMillis,
                TimeUnit.MILLISECONDS);
        return p.future;
    }

    /** Answers the queries whose watched thing {@code affected} accepts. */
    public void wake(Predicate<? super W> affected) {
        if (parked.isEmpty()) {
            return;
        }
        for (Iterator<Parked<W, T>> it = parked.iterator(); it.hasNext(); ) {
            Parked<W, T> p = it.next();
            if (affected.test(p.watched)) {
                it.remove();
                answer(p);
            }
        }
    }

    /** Answers every query, as it stands (after the state was replaced, say). */
    public void wakeAll() {
        wake(w -> true);
    }

    /**
     * Takes every query off, its timeout cancelled, for the caller to fail once it has let go of the
     * lock (the store is closing).
     */
    public List<CompletableFuture<T>> removeAll() {
        List<CompletableFuture<T>> futures = new ArrayList<>(parked.size());
        for (Parked<W, T> p : parked) {
            if (p.timeout != null) {
                p.timeout.cancel(false);
            }
            futures.add(p.future);
        }
        parked.clear();
        return futures;
    }

    /** How many queries are parked. */
    public int size() {
        return parked.size();
    }

    private void answer(Parked<W, T> p) {
        if (p.timeout != null) {
            p.timeout.cancel(false);
        }
        T value = p.answer.get();
        p.future.completeAsync(() -> value, answers);
    }
}
