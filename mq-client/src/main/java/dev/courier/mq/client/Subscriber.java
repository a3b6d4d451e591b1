package dev.courier.mq.client;

import dev.courier.mq.client.internal.Codec;
import dev.courier.mq.client.protocol.AckRequest;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.ExtendRequest;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.FetchResult;
import dev.courier.mq.client.protocol.NackRequest;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.rpc.AuthenticationException;
import dev.courier.rpc.PermissionDeniedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One consumer attached to a subscription: it long-polls the broker (never holding more than the prefetch
 * unacknowledged) and hands messages to the handler thread(s); acks are batched. The fetching has no thread
 * of its own: each fetch goes on when the last one is answered, and waits and retries run on the client's
 * scheduler, so a client with many subscribers does not hold a thread for each.
 *
 * <p><b>Session and ack deadline.</b> The broker's session timeout is how long this consumer may stay
 * silent before it is taken for gone (and every message it holds is redelivered); the consumer
 * contacts the broker at least every second (every 250 ms while all its prefetch is held by busy
 * handlers), so a handler may run longer than the session timeout, which must exceed a second. The ack deadline ({@link
 * SubscribeOptions#ackTimeout})
 * bounds how long one message may be held: past it the message is redelivered, possibly to another
 * consumer, unless {@link Message#extendDeadline} pushed the deadline.
 * When the broker is unreachable it retries with backoff, subscribing again once it is back; messages
 * it held are redelivered by the broker.
 *
 * <p>This class is thread-safe. It owns its threads; {@link #close()} stops fetching, lets the handlers
 * finish (up to 5 s), sends the remaining acks, detaches so unacknowledged messages are redelivered at
 * once (which also ends a long poll in flight), and is idempotent.
 */
public final class Subscriber implements AutoCloseable, Message.Settler {

    private static final Logger log = LoggerFactory.getLogger(Subscriber.class);
    static final long WAIT_MILLIS = 1000;

    private final String topic;
    private final String subscription;
    private final String consumerId = UUID.randomUUID().toString();
    private final BrokerService broker;
    private final ScheduledExecutorService scheduler;
    private final Codec codec;
    private final SubscribeOptions options;
    private final MessageHandler handler;
    private final ExecutorService handlers;
    /** Completed once the fetch loop has ended, after {@link #close} stopped it. */
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** Whether a fetch answered during {@link #close} brought messages the stopped handlers refused. */
    private final AtomicBoolean refusedAfterClose = new AtomicBoolean();
    /** Whether the fetch loop waits for prefetch to be released. */
    private final AtomicBoolean parked = new AtomicBoolean();

    private final AtomicInteger outstanding = new AtomicInteger();
    private final ConcurrentLinkedQueue<Long> acks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean ackInFlight = new AtomicBoolean();
    private volatile boolean running = true;
    /** While the prefetch is used up, a fetch of nothing goes this often to keep the consumer's session. */
    static final long HEARTBEAT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** When the fetch loop last called the broker; the loop's own. */
    private volatile long lastContact = System.nanoTime();
    /** Whether the loop has subscribed since it last failed; the loop's own. */
    private volatile boolean subscribed;
    /** The loop's next retry delay in milliseconds; the loop's own. */
    private volatile long backoff = 50;

    private final AtomicBoolean closed = new AtomicBoolean();

    Subscriber(
            String topic,
            String subscription,
            BrokerService broker,
            ScheduledExecutorService scheduler,
            Codec codec,
            SubscribeOptions options,
            MessageHandler handler) {
        this.topic = topic;
        this.subscription = subscription;
        this.broker = broker;
        this.scheduler = scheduler;
        this.codec = codec;
        this.options = options;
        this.handler = handler;
        AtomicInteger n = new AtomicInteger();
        this.handlers = Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "courier-mq-handler-" + topic + "-" + subscription + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        schedule(this::step, 0);
    }

    public String consumerId() {
        return consumerId;
    }

    /*
     * The fetch loop has no thread of its own: each step arranges exactly one next step (the completion of
     * its fetch, a backoff or heartbeat on the client's scheduler, or a handler releasing prefetch), so steps
     * never overlap, and the loop's fields pass from step to step through those hand-offs.
     */

    /** One step of the fetch loop. */
    private void step() {
        if (!running) {
            stopped.complete(null);
            return;
        }
        if (!subscribed) {
            // a blocking call: never on the I/O thread that completed the last fetch
            schedule(this::subscribeThenStep, 0);
            return;
        }
        int room = options.prefetch() - outstanding.get();
        if (room <= 0) {
            park();
            return;
        }
        lastContact = System.nanoTime();
        fetch(room, WAIT_MILLIS);
    }

    private void subscribeThenStep() {
        if (!running) {
            stopped.complete(null);
            return;
        }
        try {
            broker.subscribe(new SubscribeRequest(
                    topic, subscription, options.from(), options.hasSpec() ? options.spec() : null));
        } catch (RuntimeException e) {
            failed(e);
            return;
        }
        subscribed = true;
        backoff = 50;
        step();
    }

    /** Fetches up to {@code max} messages (0: a heartbeat, which only keeps the session) and steps on. */
    private void fetch(int max, long waitMillis) {
        CompletableFuture<FetchResult> f;
        try {
            f = broker.fetch(new FetchRequest(
                    topic,
                    subscription,
                    consumerId,
                    options.prefetch(),
                    max,
                    waitMillis,
                    options.ackTimeout().toMillis()));
        } catch (RuntimeException e) {
            failed(e);
            return;
        }
        if (f.isDone()) {
            schedule(() -> fetched(f), 0); // no recursion through futures that fail at once
        } else {
            f.whenComplete((r, e) -> fetched(f));
        }
    }

    private void fetched(CompletableFuture<FetchResult> f) {
        FetchResult result;
        try {
            result = f.join();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            failed(e.getCause() == null ? e : e.getCause());
            return;
        }
        lastContact = System.nanoTime();
        for (Delivery d : result.messages()) {
            outstanding.incrementAndGet();
            Message m = new Message(topic, d, codec, this);
            try {
                handlers.execute(() -> handle(m));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                outstanding.decrementAndGet(); // closed meanwhile: the detach has the broker redeliver it
                refusedAfterClose.set(true);
            }
        }
        step();
    }

    /**
     * No prefetch left: waits for a handler to release some ({@link #released}), sending a fetch of nothing
     * every {@link #HEARTBEAT_NANOS} meanwhile to keep the consumer's session.
     */
    private void park() {
        parked.set(true);
        if ((options.prefetch() - outstanding.get() > 0 || !running) && parked.compareAndSet(true, false)) {
            step(); // released (or closed) while parking
            return;
        }
        long due = Math.max(0, HEARTBEAT_NANOS - (System.nanoTime() - lastContact));
        schedule(
                () -> {
                    if (parked.compareAndSet(true, false)) {
                        if (running && options.prefetch() - outstanding.get() <= 0) {
                            lastContact = System.nanoTime();
                            fetch(0, 0); // the handlers are still busy: keep the session
                        } else {
                            step();
                        }
                    }
                },
                due);
    }

    /** Wakes a parked loop, if it is parked. */
    private void unpark() {
        if (parked.compareAndSet(true, false)) {
            step();
        }
    }

    private void failed(Throwable e) {
        if (!running) {
            stopped.complete(null);
            return;
        }
        subscribed = false;
        long wait = backoff;
        if (isRefusal(e)) {
            log.warn(
                    "The broker refuses {}/{} to this client ({}); retrying in {} ms",
                    topic,
                    subscription,
                    e.toString(),
                    wait);
        } else {
            log.debug("Fetch from {}/{} failed ({}); retrying in {} ms", topic, subscription, e.toString(), wait);
        }
        backoff = Math.min(wait * 2, 2000);
        schedule(this::step, TimeUnit.MILLISECONDS.toNanos(wait));
    }

    /** Runs {@code step} on the client's scheduler after {@code delayNanos}; the loop ends if it is shut down. */
    private void schedule(Runnable step, long delayNanos) {
        try {
            scheduler.schedule(step, delayNanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            stopped.complete(null); // the client is closing
        }
    }

    /** Refused credentials or permission, or a subscription that exists with another spec. */
    private static boolean isRefusal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof AuthenticationException
                    || c instanceof PermissionDeniedException
                    || c instanceof dev.courier.rpc.RemoteException r
                            && IllegalStateException.class.getName().equals(r.remoteClassName())) {
                return true;
            }
        }
        return false;
    }

    private void handle(Message m) {
        try {
            handler.handle(m);
            if (options.ackMode() == SubscribeOptions.AckMode.AUTO) {
                m.ack();
            }
        } catch (Exception e) {
            m.nack(Duration.ZERO, e.toString());
        } catch (Error e) {
            m.nack(Duration.ZERO, e.toString());
            throw e;
        }
    }

    private void released() {
        outstanding.decrementAndGet();
        unpark();
    }

    @Override
    public void ack(Message m) {
        released();
        acks.add(m.offset());
        flushAcks();
    }

    private void flushAcks() {
        if (acks.isEmpty() || !ackInFlight.compareAndSet(false, true)) {
            return;
        }
        List<Long> batch = new ArrayList<>();
        Long o;
        while ((o = acks.poll()) != null) {
            batch.add(o);
        }
        if (batch.isEmpty()) {
            ackInFlight.set(false);
            return;
        }
        long[] offsets = batch.stream().mapToLong(Long::longValue).toArray();
        try {
            broker.ack(new AckRequest(topic, subscription, consumerId, offsets)).whenComplete((n, e) -> {
                if (e != null && running) {
                    // resent later: acks are idempotent; if they never arrive the broker redelivers
                    scheduler.schedule(
                            () -> {
                                acks.addAll(batch);
                                ackInFlight.set(false);
                                flushAcks();
                            },
                            200,
                            TimeUnit.MILLISECONDS);
                    return;
                }
                ackInFlight.set(false);
                flushAcks();
            });
        } catch (RuntimeException e) {
            acks.addAll(batch);
            ackInFlight.set(false);
        }
    }

    @Override
    public void nack(Message m, Duration delay, String reason) {
        released();
        try {
            broker.nack(new NackRequest(
                            topic, subscription, consumerId, new long[] {m.offset()}, delay.toMillis(), reason))
                    .exceptionally(e -> {
                        log.debug("Nack of {} failed; the ack deadline will redeliver it", m.id(), e);
                        return 0;
                    });
        } catch (RuntimeException e) {
            log.debug("Nack of {} failed; the ack deadline will redeliver it", m.id(), e);
        }
    }

    @Override
    public void extend(Message m, Duration extension) {
        broker.extendDeadline(
                new ExtendRequest(topic, subscription, consumerId, new long[] {m.offset()}, extension.toMillis()));
    }

    private void detach() {
        try {
            broker.detach(topic, subscription, consumerId);
        } catch (RuntimeException e) {
            log.debug("Detaching from {}/{} failed", topic, subscription, e);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        unpark();
        try {
            handlers.shutdown();
            handlers.awaitTermination(5, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            flushAcks();
            while ((!acks.isEmpty() || ackInFlight.get()) && System.nanoTime() < deadline) {
                Thread.sleep(5);
                flushAcks();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handlers.shutdownNow();
        // Detaching also ends a long poll in flight at once, so closing does not wait it out; what it brings
        // is refused by the stopped handlers and, like all this consumer holds unacknowledged, redelivered.
        detach();
        try {
            stopped.get(WAIT_MILLIS + 2000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.debug("The fetch loop of {}/{} did not end in time", topic, subscription);
        }
        if (refusedAfterClose.get()) {
            detach(); // a fetch that crossed the first detach attached again and got messages
        }
    }
}
