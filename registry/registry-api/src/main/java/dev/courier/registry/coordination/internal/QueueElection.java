package dev.courier.registry.coordination.internal;

import dev.courier.registry.coordination.CoordinationBackend;
import dev.courier.registry.coordination.LeaderElection;
import dev.courier.registry.coordination.Leadership;
import dev.courier.registry.coordination.QueueView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A {@link LeaderElection} as a lock queue whose entries carry the candidates' names. */
final class QueueElection implements LeaderElection {

    private static final Logger log = LoggerFactory.getLogger(QueueElection.class);
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final long RETRY_MILLIS = 200;

    private final StandardCoordination coordination;
    private final String queue;
    private final String name;

    QueueElection(StandardCoordination coordination, String queue, String name) {
        this.coordination = coordination;
        this.queue = queue;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<Leadership> campaign(String candidate, Duration timeout) throws InterruptedException {
        return Optional.ofNullable(coordination.acquire(queue, CoordinationBackend.checkValue(candidate), timeout));
    }

    @Override
    public Optional<Leader> leader() {
        coordination.ensureOpen();
        return leaderOf(coordination.backend.queue(queue));
    }

    private static Optional<Leader> leaderOf(QueueView view) {
        QueueView.Entry head = view.head();
        return head == null ? Optional.empty() : Optional.of(new Leader(head.value(), head.token()));
    }

    @Override
    public AutoCloseable observe(Consumer<Optional<Leader>> observer) {
        coordination.ensureOpen();
        Observer o = new Observer(Objects.requireNonNull(observer, "observer"));
        coordination.track(o);
        coordination.scheduler.execute(o::poll);
        return o;
    }

    /** Long-polls the queue and reports each new head; each step runs on the coordination's scheduler. */
    private final class Observer implements AutoCloseable {
        private final Consumer<Optional<Leader>> observer;
        private volatile boolean closed;
        private volatile ScheduledFuture<?> retry;
        private Optional<Leader> last; // only touched by the step running
        private long version = -1;

        Observer(Consumer<Optional<Leader>> observer) {
            this.observer = observer;
        }

        void poll() {
            if (closed) {
                return;
            }
            try {
                if (version < 0) {
                    deliver(coordination.backend.queue(queue));
                }
                coordination
                        .backend
                        .queueChanged(queue, version, POLL)
                        .whenCompleteAsync(
                                (view, error) -> {
                                    if (error != null) {
                                        retryLater(error);
                                    } else {
                                        deliver(view);
                                        poll();
                                    }
                                },
                                coordination.scheduler);
            } catch (RuntimeException e) {
                retryLater(e);
            }
        }

        private void deliver(QueueView view) {
            version = view.version();
            Optional<Leader> leader = leaderOf(view);
            if (!closed && !leader.equals(last)) {
                last = leader;
                try {
                    observer.accept(leader);
                } catch (RuntimeException e) {
                    log.warn("leader observer of {} failed", name, e);
                }
            }
        }

        private void retryLater(Throwable error) {
            if (closed) {
                return;
            }
            log.debug("observing election {} failed; retrying", name, error);
            version = -1;
            try {
                retry = coordination.scheduler.schedule(this::poll, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                closed = true; // the coordination closed
            }
        }

        @Override
        public void close() {
            closed = true;
            ScheduledFuture<?> r = retry;
            if (r != null) {
                r.cancel(false);
            }
            coordination.untrack(this);
        }
    }
}
