package dev.courier.registry.coordination.internal;

import dev.courier.registry.coordination.DistributedLock;
import dev.courier.registry.coordination.LockGrant;

import java.time.Duration;
import java.util.Optional;

/** A {@link DistributedLock} as the head of its lock queue. */
final class QueueLock implements DistributedLock {

    private final StandardCoordination coordination;
    private final String queue;
    private final String name;

    QueueLock(StandardCoordination coordination, String queue, String name) {
        this.coordination = coordination;
        this.queue = queue;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<LockGrant> tryLock(Duration timeout) throws InterruptedException {
        return Optional.ofNullable(coordination.acquire(queue, Owner.NAME, timeout));
    }
}
