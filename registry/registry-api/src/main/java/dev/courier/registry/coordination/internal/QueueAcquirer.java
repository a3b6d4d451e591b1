package dev.courier.registry.coordination.internal;

import dev.courier.registry.coordination.CoordinationSession;
import dev.courier.registry.coordination.QueueView;
import dev.courier.registry.coordination.SessionLostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One wait to head a lock queue: join it under the current session, then wait for changes to the queue
 * until this entry is the head (granted), the time is up, or the entry vanished with its session (then
 * join again under a new one, while time remains). An entry that is not granted is taken out again.
 */
final class QueueAcquirer {

    private static final Logger log = LoggerFactory.getLogger(QueueAcquirer.class);
    /** Longest single wait for a change (a poll that returns unchanged just waits again). */
    private static final Duration MAX_POLL = Duration.ofSeconds(1);

    private static final long RETRY_PAUSE_MILLIS = 100;

    private final StandardCoordination coordination;
    private final String queue;
    private final String value;

    QueueAcquirer(StandardCoordination coordination, String queue, String value) {
        this.coordination = coordination;
        this.queue = queue;
        this.value = value;
    }

    /** The grant, or null when the entry did not reach the head within {@code timeout}. */
    Grant acquire(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            CoordinationSession session = coordination.session();
            long token;
            try {
                token = coordination.backend.enqueue(session, queue, value);
            } catch (SessionLostException e) {
                session.close();
                if (System.nanoTime() - deadline >= 0) {
                    return null;
                }
                continue;
            }
            boolean granted = false;
            try {
                QueueView view = coordination.backend.queue(queue);
                while (true) {
                    if (!view.contains(token) || !session.isValid()) {
                        break; // the session lapsed and its entry went with it: join again
                    }
                    if (view.head().token() == token) {
                        granted = true;
                        return new Grant(coordination, session, queue, token);
                    }
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        return null;
                    }
                    view = awaitChange(view, remaining);
                }
            } finally {
                if (!granted) {
                    leave(token);
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
        }
    }

    private QueueView awaitChange(QueueView view, long remainingNanos) throws InterruptedException {
        long wait = Math.min(remainingNanos, MAX_POLL.toNanos());
        try {
            return coordination
                    .backend
                    .queueChanged(queue, view.version(), Duration.ofNanos(wait))
                    .get(wait + TimeUnit.SECONDS.toNanos(10), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause =
                    e.getCause() instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null
                            ? ce.getCause()
                            : e.getCause();
            if (cause instanceof dev.courier.registry.RegistryAccessDeniedException denied) {
                throw denied;
            }
            // a long poll is not retried by the client (say, a follower lost its leader meanwhile): read
            // the queue with the client's retries instead, after a pause so that this is no busy loop
            log.debug("waiting for lock queue {} failed; reading it again", queue, cause);
            Thread.sleep(RETRY_PAUSE_MILLIS);
            return coordination.backend.queue(queue);
        } catch (TimeoutException e) {
            return coordination.backend.queue(queue);
        }
    }

    private void leave(long token) {
        try {
            coordination.backend.dequeue(queue, token);
        } catch (RuntimeException e) {
            // the entry goes when its session lapses
            log.warn("could not leave lock queue {} (token {}); it goes with its session", queue, token, e);
        }
    }
}
