package dev.courier.mq.broker.testing;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** The real file system, counting the files the broker has open through it. */
public final class CountingStorage extends ForwardingStorage {

    private final AtomicInteger open = new AtomicInteger();

    /** Files opened and not yet closed. */
    public AtomicInteger openFiles() {
        return open;
    }

    @Override
    protected void afterOpen(Path file) {
        open.incrementAndGet();
    }

    @Override
    protected void afterClose(Path file) {
        open.decrementAndGet();
    }
}
