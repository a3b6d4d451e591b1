package dev.courier.rpc.cluster;

import dev.courier.rpc.CallContext;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A provider of {@link ClusterService} that counts its calls. Thread-safe. */
public class NamedProvider implements ClusterService {

    final String name;
    final AtomicInteger calls = new AtomicInteger();
    /** Ends {@link #slowRecord} calls early. */
    final CountDownLatch release = new CountDownLatch(1);

    public NamedProvider(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        calls.incrementAndGet();
        return name;
    }

    @Override
    public String slowName(long millis) {
        calls.incrementAndGet();
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return name;
    }

    @Override
    public String record(String value) {
        calls.incrementAndGet();
        return name;
    }

    @Override
    public String slowRecord(long millis, String value) {
        calls.incrementAndGet();
        try {
            release.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return name;
    }

    @Override
    public String attachment(String key) {
        calls.incrementAndGet();
        return CallContext.attachment(key);
    }

    @Override
    public int fail() {
        throw new IllegalStateException("always fails");
    }
}
