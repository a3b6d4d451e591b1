package dev.courier.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

/**
 * Fails a test class when Netty reported a buffer leak while it ran. Registered for every test class
 * through JUnit's extension auto-detection ({@code META-INF/services}); the parent POM turns
 * auto-detection on and installs {@link RecordingLeakDetector}.
 *
 * <p>Netty only notices a leak once the leaked buffer is garbage-collected and a later allocation
 * polls the reference queue, so after each class this forces a few collections and allocations.
 */
public final class NettyLeakCheckExtension implements AfterAllCallback {

    private static final int ROUNDS = 3;

    @Override
    public void afterAll(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.DISABLED) {
            return;
        }
        for (int i = 0; i < ROUNDS; i++) {
            System.gc();
            pollWithAllocation();
        }
        List<String> leaks = RecordingLeakDetector.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty resource leak(s) reported during "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }

    private static void pollWithAllocation() {
        // Each tracked allocation makes the detector drain its reference queue and report.
        for (int j = 0; j < 4; j++) {
            ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(16);
            pooled.release();
            ByteBuf heap = PooledByteBufAllocator.DEFAULT.heapBuffer(16);
            heap.release();
            ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.buffer(16);
            unpooled.release();
        }
    }
}
