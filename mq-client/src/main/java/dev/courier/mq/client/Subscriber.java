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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One consumer attached to a subscription: a fetch thread long-polls the broker (never holding more
 * than the prefetch unacknowledged) and hands messages to the handler thread(s); acks are batched.
 *
 * <p><b>Session and ack deadline.</b> The broker's session timeout is how long this consumer may stay
 * silent before it is taken for gone (and every message it holds is redelivered); the fetch thread
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
 * once, and is idempotent.
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
    private final Thread fetcher;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final ConcurrentLinkedQueue<Long> acks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean ackInFlight = new AtomicBoolean();
    private volatile boolean running = true;
    /** While the prefetch is used up, a fetch of nothing goes this often to keep the consumer's session. */
    static final long HEARTBEAT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** When the fetch thread last called the broker; fetch thread only. */
    private long lastContact = System.nanoTime();

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
        this.fetcher = new Thread(this::fetchLoop, "courier-mq-fetch-" + topic + "-" + subscription);
        this.fetcher.setDaemon(true);
    }

    void start() {
        fetcher.start();
    }

    public String consumerId() {
        return consumerId;
    }

    private void fetchLoop() {
        boolean subscribed = false;
        long backoff = 50;
        while (running) {
            try {
                if (!subscribed) {
                    broker.subscribe(new SubscribeRequest(
                            topic, subscription, options.from(), options.hasSpec() ? options.spec() : null));
                    subscribed = true;
                    backoff = 50;
                }
                int room = options.prefetch() - outstanding.get();
                if (room <= 0) {
                    synchronized (outstanding) {
                        if (options.prefetch() - outstanding.get() <= 0) {
                            outstanding.wait(100);
                        }
                    }
                    if (System.nanoTime() - lastContact >= HEARTBEAT_NANOS) {
                        // No credit, but the handlers are still busy: keep the session (a fetch of nothing).
                        broker.fetch(new FetchRequest(
                                        topic,
                                        subscription,
                                        consumerId,
                                        options.prefetch(),
                                        0,
                                        0,
                                        options.ackTimeout().toMillis()))
                                .get();
                        lastContact = System.nanoTime();
                    }
                    continue;
                }
                lastContact = System.nanoTime();
                FetchResult result = broker.fetch(new FetchRequest(
                                topic,
                                subscription,
                                consumerId,
                                options.prefetch(),
                                room,
                                WAIT_MILLIS,
                                options.ackTimeout().toMillis()))
                        .get();
                for (Delivery d : result.messages()) {
                    outstanding.incrementAndGet();
                    Message m = new Message(topic, d, codec, this);
                    handlers.execute(() -> handle(m));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                subscribed = false;
                if (isRefusal(e)) {
                    log.warn(
                            "The broker refuses {}/{} to this client ({}); retrying in {} ms",
                            topic,
                            subscription,
                            e.toString(),
                            backoff);
                } else {
                    log.debug(
                            "Fetch from {}/{} failed ({}); retrying in {} ms",
                            topic,
                            subscription,
                            e.toString(),
                            backoff);
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(backoff * 2, 2000);
            }
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
        synchronized (outstanding) {
            outstanding.notifyAll();
        }
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

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        try {
            fetcher.join(WAIT_MILLIS + 2000);
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
        try {
            broker.detach(topic, subscription, consumerId);
        } catch (RuntimeException e) {
            log.debug("Detaching from {}/{} failed", topic, subscription, e);
        }
    }
}
