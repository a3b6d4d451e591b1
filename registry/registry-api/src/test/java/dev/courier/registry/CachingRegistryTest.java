package dev.courier.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class CachingRegistryTest {

    private static final ServiceKey KEY = ServiceKey.of("dev.courier.test.Cached");

    @TempDir
    Path dir;

    /** A registry whose list can be set and which can be made unreachable. */
    private static final class FakeRegistry implements Registry {
        volatile List<ServiceInstance> instances = List.of();
        volatile long revision;
        final AtomicBoolean down = new AtomicBoolean();
        volatile WatchListener listener;

        void set(List<ServiceInstance> list) {
            instances = list;
            revision++;
            WatchListener l = listener;
            if (l != null) {
                l.onEvent(WatchEvent.snapshot(new ServiceSnapshot(KEY, revision, list)));
            }
        }

        @Override
        public Registration register(ServiceInstance instance, Duration leaseTtl) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ServiceSnapshot list(ServiceKey key) {
            if (down.get()) {
                throw new RegistryException("unreachable");
            }
            return new ServiceSnapshot(key, revision, instances);
        }

        @Override
        public Watch watch(ServiceKey key, WatchListener l) {
            listener = l;
            l.onEvent(WatchEvent.snapshot(list(key)));
            return new Watch() {
                @Override
                public ServiceKey key() {
                    return key;
                }

                @Override
                public void close() {
                    listener = null;
                }
            };
        }

        @Override
        public Set<ServiceKey> services() {
            return Set.of(KEY);
        }

        @Override
        public void close() {}
    }

    private static List<ServiceInstance> instances(int n) {
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> ServiceInstance.of(KEY, "10.0.0." + (i + 1), 9000))
                .toList();
    }

    @Test
    void servesTheLastGoodListWhenTheRegistryIsUnreachable() {
        FakeRegistry fake = new FakeRegistry();
        try (CachingRegistry cache = new CachingRegistry(fake, dir)) {
            fake.set(instances(3));
            assertThat(cache.list(KEY).instances()).hasSize(3);
            fake.down.set(true);
            assertThat(cache.list(KEY).instances()).hasSize(3);
        }
    }

    @Test
    void aNewProcessReadsTheLastGoodListFromItsFile() {
        FakeRegistry fake = new FakeRegistry();
        try (CachingRegistry cache = new CachingRegistry(fake, dir)) {
            fake.set(instances(4));
            cache.list(KEY);
        }
        FakeRegistry unreachable = new FakeRegistry();
        unreachable.down.set(true);
        try (CachingRegistry restarted = new CachingRegistry(unreachable, dir)) {
            assertThat(restarted.list(KEY).instances()).isEqualTo(instances(4));
        }
    }

    @Test
    void aCorruptFileIsIgnored() throws Exception {
        FakeRegistry fake = new FakeRegistry();
        try (CachingRegistry cache = new CachingRegistry(fake, dir)) {
            fake.set(instances(2));
            cache.list(KEY);
        }
        Path file = dir.resolve(KEY.pathSegment() + ".list");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(file, bytes);
        FakeRegistry unreachable = new FakeRegistry();
        unreachable.down.set(true);
        try (CachingRegistry restarted = new CachingRegistry(unreachable, dir)) {
            assertThat(restarted.cached(KEY)).isNull();
            assertThatThrownBy(() -> restarted.list(KEY)).isInstanceOf(RegistryException.class);
        }
    }

    @Test
    void anEmptyListDoesNotWipeANonEmptyOneUntilConfirmed() {
        FakeRegistry fake = new FakeRegistry();
        try (CachingRegistry cache = new CachingRegistry(fake, dir, 0.5, Duration.ofMillis(300))) {
            fake.set(instances(4));
            assertThat(cache.list(KEY).instances()).hasSize(4);
            fake.set(List.of());
            assertThat(cache.list(KEY).instances()).hasSize(4);
            fake.set(instances(3));
            assertThat(cache.list(KEY).instances()).hasSize(3);
        }
    }

    @Test
    void aWatchHoldsADrasticShrinkUntilTheRegistryConfirmsIt() {
        FakeRegistry fake = new FakeRegistry();
        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        try (CachingRegistry cache = new CachingRegistry(fake, dir, 0.5, Duration.ofMillis(300))) {
            fake.set(instances(10));
            cache.watch(KEY, seen::add);
            assertThat(seen).hasSize(1);
            fake.set(instances(9));
            assertThat(seen.get(seen.size() - 1).instances()).hasSize(9);
            int before = seen.size();
            fake.set(instances(2));
            assertThat(seen).hasSize(before);
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() ->
                            assertThat(seen.get(seen.size() - 1).instances()).hasSize(2));
            assertThat(cache.list(KEY).instances()).hasSize(2);
        }
    }

    @Test
    void aShrinkThatRecoversBeforeConfirmationIsNeverDelivered() {
        FakeRegistry fake = new FakeRegistry();
        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        try (CachingRegistry cache = new CachingRegistry(fake, dir, 0.5, Duration.ofMillis(200))) {
            fake.set(instances(6));
            cache.watch(KEY, seen::add);
            fake.set(List.of());
            fake.set(instances(6));
            await().during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(2))
                    .untilAsserted(() -> assertThat(seen)
                            .allSatisfy(e -> assertThat(e.instances()).hasSize(6)));
        }
    }
}
