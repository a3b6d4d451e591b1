package dev.courier.examples;

import dev.courier.rpc.Courier;
import dev.courier.rpc.RpcServer;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What {@code ./courier demo} runs, in one process on loopback: an embedded registry, two
 * {@link Greeter} providers started by {@link Courier} from their {@code @RpcService} annotations
 * (east, weight 300; west, weight 100), and a consumer whose {@code @RpcReference} fields Courier
 * injects; then a publish/subscribe round on an embedded broker ({@link PubSubRound}). Each step prints what it does
 * and returns whether it behaved as expected; the process exits
 * 0 when every step did, 1 otherwise. Add a step by adding a method and a line in {@link #run}.
 */
public final class Demo {

    static final int EXPECTED_CALLS = 6;
    static final String REGISTRY = "embedded://demo";
    static final int BALANCED_CALLS = 400;

    private Demo() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(System.out) ? 0 : 1);
    }

    static boolean run(PrintStream out) throws Exception {
        out.println("== Courier demo ==");
        try (Courier east = Courier.builder()
                        .registry(REGISTRY)
                        .scan("dev.courier.examples.east")
                        .start();
                Courier west = Courier.builder()
                        .registry(REGISTRY)
                        .scan("dev.courier.examples.west")
                        .start();
                Courier consumer = Courier.builder().registry(REGISTRY).start()) {
            out.printf(
                    "providers: east on %s (weight 300), west on %s (weight 100), registry %s%n",
                    east.server().address(), west.server().address(), REGISTRY);
            DemoConsumer calls = consumer.inject(new DemoConsumer());
            boolean ok = callRound(calls, out);
            ok &= balancing(calls, out);
            ok &= gracefulShutdown(east, calls, out);
            if (!ok) {
                return false;
            }
        }
        return publishSubscribe(out);
    }

    /** Step 4: a publish/subscribe round on an embedded broker. */
    static boolean publishSubscribe(PrintStream out) throws Exception {
        out.println("-- step 4: publish/subscribe on an embedded broker --");
        boolean delivered = new PubSubRound(out).run();
        out.println(
                delivered
                        ? "broker: every message reached both subscriptions"
                        : "broker: some messages did not arrive");
        return delivered;
    }

    /** Step 1: the usual round of calls through an injected reference. */
    static boolean callRound(DemoConsumer calls, PrintStream out) throws Exception {
        out.println("-- step 1: calls through an injected @RpcReference --");
        int ok = new GreeterConsumer(calls.greeter, out).run();
        out.printf("consumer: %d of %d calls behaved as expected%n", ok, EXPECTED_CALLS);
        return ok == EXPECTED_CALLS;
    }

    /** Step 2: weighted round-robin splits calls 3:1 between east and west. */
    static boolean balancing(DemoConsumer calls, PrintStream out) {
        out.println("-- step 2: balancing by weight (round-robin) --");
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < BALANCED_CALLS; i++) {
            counts.merge(calls.byWeight.origin(), 1, Integer::sum);
        }
        out.printf("  %d calls answered by %s%n", BALANCED_CALLS, counts);
        return counts.getOrDefault("east", 0) == 300 && counts.getOrDefault("west", 0) == 100;
    }

    /** How long each call of step 3 takes on its provider, so that east is busy when it closes. */
    static final long SLOW_CALL_MILLIS = 100;

    /**
     * Step 3: east shuts down gracefully while slow calls run on it; the calls it is running finish
     * (the drain), none fails, and west takes every new one.
     */
    static boolean gracefulShutdown(Courier east, DemoConsumer calls, PrintStream out) throws InterruptedException {
        out.println("-- step 3: east shuts down gracefully under load --");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger eastFinishedWhileClosing = new AtomicInteger();
        AtomicLong closeBegan = new AtomicLong(Long.MAX_VALUE);
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread caller = new Thread(
                    () -> {
                        while (!stop.get()) {
                            try {
                                long started = System.nanoTime();
                                String origin = calls.greeter.originAfter(SLOW_CALL_MILLIS);
                                done.incrementAndGet();
                                long began = closeBegan.get();
                                if (origin.equals("east") && started - began < 0 && System.nanoTime() - began > 0) {
                                    // sent before east began closing, answered by east after: it ran through the drain
                                    eastFinishedWhileClosing.incrementAndGet();
                                }
                            } catch (RuntimeException e) {
                                failed.incrementAndGet();
                                out.println("  call failed: " + e);
                            }
                        }
                    },
                    "demo-caller-" + t);
            callers.add(caller);
            caller.start();
        }
        int inFlight = awaitCallsInFlight(east.server(), Duration.ofSeconds(10));
        closeBegan.set(System.nanoTime());
        east.close();
        out.printf(
                "  east: began closing with %d calls in flight; deregistered, told consumers it is draining,"
                        + " finished its calls, closed%n",
                inFlight);
        Map<String, Integer> after = new TreeMap<>();
        for (int i = 0; i < 100; i++) {
            after.merge(calls.greeter.origin(), 1, Integer::sum);
        }
        stop.set(true);
        for (Thread caller : callers) {
            caller.join();
        }
        out.printf(
                "  %d calls during the shutdown (%d answered by east after it began closing), %d failed;"
                        + " the next 100 answered by %s%n",
                done.get(), eastFinishedWhileClosing.get(), failed.get(), after);
        return inFlight > 0
                && eastFinishedWhileClosing.get() > 0
                && failed.get() == 0
                && after.equals(Map.of("west", 100));
    }

    /** The calls {@code server} is running, once there are some (0 if none came within {@code patience}). */
    private static int awaitCallsInFlight(RpcServer server, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() - deadline < 0) {
            int running = server.inFlightCalls();
            if (running > 0) {
                return running;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return 0;
    }
}
