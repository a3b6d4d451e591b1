package dev.courier.registry.internal;

import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.ServiceSnapshot;
import dev.courier.registry.coordination.QueueView;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Closing a client while a renewal is registering everything again under a new lease leaves nothing behind. */
class LeasedRegistryCloseTest {

    private static final ServiceKey KEY = ServiceKey.of("dev.courier.test.Close");

    @Test
    void closeDuringAReRegistrationRevokesTheNewLease() throws Exception {
        EmbeddedLeaseBackend store = new EmbeddedLeaseBackend();
        CountDownLatch regranting = new CountDownLatch(1);
        CountDownLatch mayGrant = new CountDownLatch(1);
        AtomicInteger grants = new AtomicInteger();
        LeaseBackend gated = new Delegating(store) {
            @Override
            public long grant(Duration ttl) {
                if (grants.incrementAndGet() == 2) { // the renewal's new lease
                    regranting.countDown();
                    try {
                        mayGrant.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.grant(ttl);
            }
        };
        try {
            LeasedRegistry client = new LeasedRegistry(gated, () -> {});
            client.register(ServiceInstance.of(KEY, "10.8.0.1", 1), Duration.ofSeconds(3));
            client.register(ServiceInstance.of(KEY, "10.8.0.2", 1), Duration.ofSeconds(3));
            store.restart(); // the lease is gone: the next renewal grants a new one and registers both again
            assertThat(regranting.await(30, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(client::close);
            // close must wait for the re-registration rather than revoke the lease that is already gone
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !closing.isDone());
            mayGrant.countDown();
            closing.get(30, TimeUnit.SECONDS);
            assertThat(store.snapshot(KEY).instances()).isEmpty();
        } finally {
            mayGrant.countDown();
            store.close();
        }
    }

    /** Passes every call to {@code target}. */
    private static class Delegating implements LeaseBackend {
        private final LeaseBackend target;

        Delegating(LeaseBackend target) {
            this.target = target;
        }

        @Override
        public long grant(Duration ttl) {
            return target.grant(ttl);
        }

        @Override
        public boolean keepAlive(long leaseId) {
            return target.keepAlive(leaseId);
        }

        @Override
        public void put(long leaseId, ServiceInstance instance) {
            target.put(leaseId, instance);
        }

        @Override
        public void delete(long leaseId, ServiceKey key, String id) {
            target.delete(leaseId, key, id);
        }

        @Override
        public void revoke(long leaseId) {
            target.revoke(leaseId);
        }

        @Override
        public ServiceSnapshot snapshot(ServiceKey key) {
            return target.snapshot(key);
        }

        @Override
        public Set<ServiceKey> services() {
            return target.services();
        }

        @Override
        public CompletableFuture<ChangeBatch> changesSince(ServiceKey key, long after, Duration maxWait) {
            return target.changesSince(key, after, maxWait);
        }

        @Override
        public CompletableFuture<Map<ServiceKey, ChangeBatch>> changesSince(
                Map<ServiceKey, Long> afters, Duration maxWait) {
            return target.changesSince(afters, maxWait);
        }

        @Override
        public long enqueue(long leaseId, String queue, String value) {
            return target.enqueue(leaseId, queue, value);
        }

        @Override
        public void dequeue(String queue, long token) {
            target.dequeue(queue, token);
        }

        @Override
        public QueueView queue(String queue) {
            return target.queue(queue);
        }

        @Override
        public CompletableFuture<QueueView> queueChanged(String queue, long version, Duration maxWait) {
            return target.queueChanged(queue, version, maxWait);
        }

        @Override
        public long addAndGet(String counter, long delta) {
            return target.addAndGet(counter, delta);
        }

        @Override
        public void close() {}
    }
}
