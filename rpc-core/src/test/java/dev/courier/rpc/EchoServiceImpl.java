package dev.courier.rpc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The provider side of {@link EchoService}; counts the calls that actually ran. */
public class EchoServiceImpl implements EchoService {

    final AtomicInteger sleepCalls = new AtomicInteger();
    final AtomicInteger nothingCalls = new AtomicInteger();
    final AtomicInteger echoObjectCalls = new AtomicInteger();
    /** Released by tests to let sleeping calls end early. */
    final CountDownLatch release = new CountDownLatch(1);

    public int nothingCallsSoFar() {
        return nothingCalls.get();
    }

    @Override
    public String echo(String s) {
        return s;
    }

    @Override
    public byte[] echoBytes(byte[] bytes) {
        return bytes;
    }

    @Override
    public Object echoObject(Object o) {
        echoObjectCalls.incrementAndGet();
        return o;
    }

    @Override
    public int add(int a, int b) {
        return a + b;
    }

    @Override
    public List<String> repeat(String s, int times) {
        return new ArrayList<>(Collections.nCopies(times, s));
    }

    @Override
    public String sleepThenEcho(long millis, String s) {
        sleepCalls.incrementAndGet();
        try {
            release.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return s;
    }

    @Override
    public void fail(String message) {
        throw new IllegalStateException(message);
    }

    @Override
    public String returnsNull() {
        return null;
    }

    @Override
    public void nothing() {
        nothingCalls.incrementAndGet();
    }

    @Override
    public CompletableFuture<String> echoAsync(String s) {
        return CompletableFuture.completedFuture(s);
    }

    @Override
    public CompletableFuture<String> echoLater(String s, long millis) {
        return CompletableFuture.supplyAsync(() -> s, CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
    }
}
