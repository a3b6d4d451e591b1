package dev.courier.registry.coordination.internal;

import dev.courier.registry.coordination.CoordinationSession;
import dev.courier.registry.coordination.Leadership;
import dev.courier.registry.coordination.LockGrant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/** The head of a lock queue: a lock grant or a leadership. Held while not closed and its session is valid. */
final class Grant implements LockGrant, Leadership {

    private static final Logger log = LoggerFactory.getLogger(Grant.class);

    private final StandardCoordination coordination;
    private final CoordinationSession session;
    private final String queue;
    private final long token;
    private final AtomicBoolean released = new AtomicBoolean();
    private final CompletableFuture<Void> lost = new CompletableFuture<>();

    Grant(StandardCoordination coordination, CoordinationSession session, String queue, long token) {
        this.coordination = coordination;
        this.session = session;
        this.queue = queue;
        this.token = token;
        session.lost().thenRun(() -> lost.complete(null));
    }

    @Override
    public long fencingToken() {
        return token;
    }

    @Override
    public long term() {
        return token;
    }

    @Override
    public boolean isHeld() {
        return !released.get() && session.isValid();
    }

    @Override
    public boolean isLeader() {
        return isHeld();
    }

    @Override
    public CompletionStage<Void> lost() {
        return lost.minimalCompletionStage();
    }

    @Override
    public void close() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        coordination.untrack(this);
        try {
            coordination.backend.dequeue(queue, token); // also when lapsed: the registry may not know yet
        } catch (RuntimeException e) {
            log.warn("could not release {} (token {}); it goes with its session", queue, token, e);
        } finally {
            lost.complete(null);
        }
    }

    @Override
    public String toString() {
        return queue + "@" + token;
    }
}
