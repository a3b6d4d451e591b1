package dev.courier.registry.internal;

import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.WatchEvent;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryStateTest {

    private static final ServiceKey A = ServiceKey.of("dev.courier.test.A");
    private static final ServiceKey B = ServiceKey.of("dev.courier.test.B");

    @Test
    void everyInstanceChangeIncrementsTheRevisionAndLeasesDoNot() {
        RegistryState state = new RegistryState(100);
        long lease = state.grant(1000);
        assertThat(state.revision()).isZero();
        assertThat(state.put(lease, ServiceInstance.of(A, "h", 1)).type()).isEqualTo(WatchEvent.Type.ADDED);
        assertThat(state.put(lease, ServiceInstance.of(A, "h", 1))).isNull();
        assertThat(state.put(lease, ServiceInstance.of(A, "h", 1).withWeight(5)).type())
                .isEqualTo(WatchEvent.Type.UPDATED);
        assertThat(state.revision()).isEqualTo(2);
        assertThat(state.revoke(lease)).extracting(Change::type).containsExactly(WatchEvent.Type.REMOVED);
        assertThat(state.revision()).isEqualTo(3);
        assertThat(state.snapshot(A).instances()).isEmpty();
    }

    @Test
    void putUnderAMissingLeaseFails() {
        RegistryState state = new RegistryState(100);
        assertThatThrownBy(() -> state.put(42, ServiceInstance.of(A, "h", 1)))
                .isInstanceOf(LeaseNotFoundException.class);
    }

    @Test
    void aDeleteOrExpiryOfAnOldLeaseDoesNotRemoveAnInstanceRegisteredAgainUnderANewOne() {
        RegistryState state = new RegistryState(100);
        long old = state.grant(1000);
        state.put(old, ServiceInstance.of(A, "h", 1));
        long fresh = state.grant(1000);
        state.put(fresh, ServiceInstance.of(A, "h", 1));
        assertThat(state.delete(A, "h:1", old)).isNull();
        assertThat(state.revoke(old)).isEmpty();
        assertThat(state.snapshot(A).instances()).hasSize(1);
    }

    @Test
    void changesSinceReturnsOnlyTheServiceAndResetsWhenHistoryWasDropped() {
        RegistryState state = new RegistryState(3);
        long lease = state.grant(1000);
        state.put(lease, ServiceInstance.of(A, "h", 1));
        state.put(lease, ServiceInstance.of(B, "h", 1));
        state.put(lease, ServiceInstance.of(A, "h", 2));
        ChangeBatch batch = state.changesSince(A, 0);
        assertThat(batch.reset()).isFalse();
        assertThat(batch.changes()).extracting(Change::revision).containsExactly(1L, 3L);
        assertThat(state.changesSince(A, 3).changes()).isEmpty();

        state.put(lease, ServiceInstance.of(A, "h", 3)); // history keeps 3 changes: revisions 2..4
        assertThat(state.changesSince(A, 0).reset()).isTrue();
        assertThat(state.changesSince(A, 1).changes())
                .extracting(Change::revision)
                .containsExactly(3L, 4L);
        assertThat(state.changesSince(A, 99).reset()).isTrue();
    }

    @Test
    void aSnapshotRestoresInstancesLeasesAndRevision() throws Exception {
        RegistryState state = new RegistryState(100);
        long lease = state.grant(1500);
        state.put(lease, new ServiceInstance(A, "h", 1, 7, Set.of("canary"), Map.of("zone", "z1")));
        state.put(lease, ServiceInstance.of(B, "h", 2));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        state.writeTo(new DataOutputStream(bytes));

        RegistryState restored = new RegistryState(100);
        restored.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(restored.revision()).isEqualTo(2);
        assertThat(restored.snapshot(A)).isEqualTo(state.snapshot(A));
        assertThat(restored.leaseTtls()).isEqualTo(Map.of(lease, 1500L));
        assertThat(restored.renewedAt(lease)).isZero();
        assertThat(restored.changesSince(A, 1).reset()).isTrue();
        assertThat(restored.revoke(lease)).hasSize(2);
        assertThat(restored.grant(1000)).isGreaterThan(lease);
    }

    @Test
    void aRenewalMarkSurvivesASnapshotAndGoesWithItsLease() throws Exception {
        RegistryState state = new RegistryState(100);
        long lease = state.grant(1500);
        long other = state.grant(1500);
        assertThat(state.renewedAt(lease)).isZero();
        assertThat(state.renew(lease, 41)).isTrue();
        assertThat(state.renew(lease, 57)).isTrue();
        assertThat(state.renew(99, 60)).isFalse();
        assertThat(state.renewedAt(99)).isEqualTo(-1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        state.writeTo(new DataOutputStream(bytes));

        RegistryState restored = new RegistryState(100);
        restored.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(restored.renewedAt(lease)).isEqualTo(57);
        assertThat(restored.renewedAt(other)).isZero();
        restored.revoke(lease);
        assertThat(restored.renewedAt(lease)).isEqualTo(-1);
    }

    @Test
    void aFormatOneSnapshotIsReadWithEveryRenewalMarkZero() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(1);
        out.writeLong(3); // revision
        out.writeLong(8); // next lease id
        out.writeInt(1);
        out.writeLong(7);
        out.writeLong(2000);
        out.writeInt(1);
        out.writeLong(7);
        InstanceCodec.write(out, ServiceInstance.of(A, "h", 1));

        RegistryState restored = new RegistryState(100);
        restored.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(restored.leaseTtls()).isEqualTo(Map.of(7L, 2000L));
        assertThat(restored.renewedAt(7)).isZero();
        assertThat(restored.snapshot(A).instances()).containsExactly(ServiceInstance.of(A, "h", 1));
        assertThat(restored.grant(1000)).isEqualTo(8);
    }

    @Test
    void lockQueueEntriesHaveGrowingTokensAndGoWithTheirLease() {
        RegistryState state = new RegistryState(100);
        long a = state.grant(1000);
        long b = state.grant(1000);
        long first = state.enqueue(a, "lock/x", "owner-a");
        long second = state.enqueue(b, "lock/x", "owner-b");
        long elsewhere = state.enqueue(b, "lock/y", "owner-b");
        assertThat(second).isGreaterThan(first);
        assertThat(elsewhere).isGreaterThan(second);
        assertThat(state.drainChangedQueues()).containsExactly("lock/x", "lock/y");
        assertThat(state.drainChangedQueues()).isEmpty();
        assertThat(state.queue("lock/x").head())
                .isEqualTo(new dev.courier.registry.coordination.QueueView.Entry(first, "owner-a"));
        long version = state.queueVersion("lock/x");

        state.revoke(a);
        assertThat(state.queue("lock/x").entries())
                .extracting(dev.courier.registry.coordination.QueueView.Entry::token)
                .containsExactly(second);
        assertThat(state.queueVersion("lock/x")).isNotEqualTo(version);
        assertThat(state.drainChangedQueues()).containsExactly("lock/x");
        assertThat(state.dequeue("lock/x", first)).isFalse();
        assertThat(state.dequeue("lock/x", second)).isTrue();
        assertThat(state.queue("lock/x").entries()).isEmpty();
        assertThat(state.queueVersion("lock/x")).isZero();
        // a token is never handed out twice, even once its queue emptied
        assertThat(state.enqueue(b, "lock/x", "owner-b")).isGreaterThan(elsewhere);
        assertThatThrownBy(() -> state.enqueue(a, "lock/x", "gone")).isInstanceOf(LeaseNotFoundException.class);
    }

    @Test
    void countersAddAtomicallyFromZero() {
        RegistryState state = new RegistryState(100);
        assertThat(state.addAndGet("segment/orders", 0)).isZero();
        assertThat(state.addAndGet("segment/orders", 1000)).isEqualTo(1000);
        assertThat(state.addAndGet("segment/orders", 1000)).isEqualTo(2000);
        assertThat(state.addAndGet("segment/users", 5)).isEqualTo(5);
    }

    @Test
    void aSnapshotKeepsLockQueuesTokensAndCounters() throws Exception {
        RegistryState state = new RegistryState(100);
        long lease = state.grant(1000);
        long token = state.enqueue(lease, "lock/x", "owner");
        state.addAndGet("segment/orders", 300);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        state.writeTo(new DataOutputStream(bytes));

        RegistryState restored = new RegistryState(100);
        restored.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(restored.queue("lock/x")).isEqualTo(state.queue("lock/x"));
        assertThat(restored.addAndGet("segment/orders", 0)).isEqualTo(300);
        assertThat(restored.enqueue(lease, "lock/x", "next")).isGreaterThan(token);
        restored.revoke(lease); // the restored entries are bound to their lease
        assertThat(restored.queue("lock/x").entries()).isEmpty();
    }

    @Test
    void aFormatTwoSnapshotIsReadWithNoQueuesOrCounters() throws Exception {
        RegistryState state = new RegistryState(100);
        state.put(state.grant(1000), ServiceInstance.of(A, "h", 1));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        state.writeTo(new DataOutputStream(bytes));
        byte[] three = bytes.toByteArray();
        // format 2 is format 3 without the coordination part: revision, 0 queues, 0 counters
        byte[] two = java.util.Arrays.copyOf(three, three.length - Long.BYTES - 2 * Integer.BYTES);
        java.nio.ByteBuffer.wrap(two).putInt(0, 2);

        RegistryState restored = new RegistryState(100);
        restored.readFrom(new DataInputStream(new ByteArrayInputStream(two)));
        assertThat(restored.snapshot(A).instances()).containsExactly(ServiceInstance.of(A, "h", 1));
        assertThat(restored.queue("lock/x").entries()).isEmpty();
        assertThat(restored.addAndGet("segment/orders", 0)).isZero();
    }
}
