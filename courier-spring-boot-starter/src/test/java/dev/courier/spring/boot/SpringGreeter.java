package dev.courier.spring.boot;

import dev.courier.rpc.RpcService;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A provider bean that Spring creates with constructor injection. */
@RpcService
public class SpringGreeter implements Greeter {

    private final Salutation salutation;
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch slowStarted = new CountDownLatch(1);

    public SpringGreeter(Salutation salutation) {
        this.salutation = salutation;
    }

    @Override
    public String greet(String name) {
        calls.incrementAndGet();
        return salutation.word() + ", " + name;
    }

    @Override
    public String slowGreet(String name, long millis) {
        calls.incrementAndGet();
        slowStarted.countDown();
        try {
            TimeUnit.MILLISECONDS.sleep(millis); // the work of a slow method, not synchronization
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return salutation.word() + " at last, " + name;
    }

    /** A plain Spring bean the provider depends on. */
    public record Salutation(String word) {}
}
