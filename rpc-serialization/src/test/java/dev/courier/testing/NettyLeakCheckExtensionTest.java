package dev.courier.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.Proxy;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class NettyLeakCheckExtensionTest {

    @Test
    void testJvmRunsWithParanoidLeakDetection() {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void leakedBufferFailsTheCheck() {
        leakOneBuffer();
        ExtensionContext context = (ExtensionContext) Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {ExtensionContext.class},
                (proxy, method, args) -> method.getName().equals("getDisplayName") ? "leaky test" : null);

        // the collector hands the dropped buffer to Netty's reference queue on its own schedule, which on a
        // loaded host can be after the check's own collections; the check is run until it has seen it
        NettyLeakCheckExtension check = new NettyLeakCheckExtension();
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThatThrownBy(() -> check.afterAll(context))
                        .isInstanceOf(AssertionError.class)
                        .hasMessageContaining("leaky test")
                        .hasMessageContaining("LEAK"));
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(64);
        leaked.writeLong(42L);
        // Deliberately dropped without release().
    }
}
