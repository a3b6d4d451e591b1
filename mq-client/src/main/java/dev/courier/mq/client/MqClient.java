package dev.courier.mq.client;

import dev.courier.mq.client.internal.Codec;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.rpc.RpcClient;
import dev.courier.rpc.TlsOptions;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A connection to a Courier broker, over rpc-core.
 *
 * <pre>{@code
 * try (MqClient client = MqClient.connect("127.0.0.1:7400")) {
 *     client.producer("orders").send("hello".getBytes()).join();   // durable when it completes
 *     client.subscribe("orders", "billing", m -> System.out.println(new String(m.payload())));
 * }
 * }</pre>
 *
 * <p>Nothing is sent until the first call; a lost connection is re-established on the next call with
 * backoff. This class is thread-safe. It owns its connection and threads; {@link #close()} closes the
 * subscribers and producers it made, then the connection, and is idempotent.
 */
public final class MqClient implements AutoCloseable {

    /** The deadline of every broker call (fetch waits stay well below it). */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final RpcClient rpc;
    private final BrokerService broker;
    private final ScheduledExecutorService scheduler;
    private final Codec codec = new Codec();
    private final Duration sendTimeout;
    private final List<AutoCloseable> owned = new CopyOnWriteArrayList<>();
    private boolean closed;

    private MqClient(String host, int port, Duration sendTimeout, TlsOptions tls, String token) {
        this.sendTimeout = sendTimeout;
        this.rpc = RpcClient.builder()
                .ioThreads(1)
                .connectTimeout(Duration.ofSeconds(2))
                .heartbeatInterval(Duration.ofSeconds(2))
                .tls(tls)
                .token(token)
                .build();
        this.broker = rpc.reference(BrokerService.class)
                .address(host, port)
                .timeout(CALL_TIMEOUT)
                .build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "courier-mq-client-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects to a broker at {@code host:port}; sends are retried for up to 30 s. */
    public static MqClient connect(String address) {
        return connect(address, Duration.ofSeconds(30));
    }

    /** Connects to a broker at {@code host:port}; sends are retried until {@code sendTimeout}. */
    public static MqClient connect(String address, Duration sendTimeout) {
        return connect(address, sendTimeout, null, null);
    }

    /**
     * Connects to a broker at {@code host:port} with TLS (null: plaintext) and a bearer token (null:
     * none); sends are retried until {@code sendTimeout}. A broker that refuses the credentials fails
     * calls with {@link dev.courier.rpc.AuthenticationException}, and one that refuses an action on a
     * topic with {@link dev.courier.rpc.PermissionDeniedException} (sends fail at once, not retried).
     */
    public static MqClient connect(String address, Duration sendTimeout, TlsOptions tls, String token) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("Broker address must be host:port, got '" + address + "'");
        }
        return new MqClient(
                address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)), sendTimeout, tls, token);
    }

    /** A producer for {@code topic} (the topic is created on first publish). */
    public Producer producer(String topic) {
        Producer p = new Producer(topic, broker, scheduler, codec, sendTimeout);
        owned.add(p);
        return p;
    }

    /**
     * A producer of transactions for {@code topic} in producer {@code group}, with the group's checker: while
     * the producer is open, this client answers the broker's checks of the group's undecided transactions
     * (any member of the group may answer any of them).
     */
    public Producer transactionalProducer(String topic, String group, TransactionChecker checker) {
        Producer p = producer(topic);
        p.group(java.util.Objects.requireNonNull(group, "group"));
        TransactionChecks checks = new TransactionChecks(group, broker, scheduler, checker);
        owned.add(checks);
        checks.start();
        return p;
    }

    /** Consumes {@code topic} through {@code subscription} with default options. */
    public Subscriber subscribe(String topic, String subscription, MessageHandler handler) {
        return subscribe(topic, subscription, SubscribeOptions.defaults(), handler);
    }

    /**
     * Consumes {@code topic} through {@code subscription}. With filters or key order in {@code options}, the
     * subscription is created (or checked) at once.
     *
     * @throws MqException if the subscription exists with other filters or ordering than {@code options} ask
     *                     for, or they are not valid (a broker that cannot be reached now is retried instead)
     */
    public Subscriber subscribe(String topic, String subscription, SubscribeOptions options, MessageHandler handler) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("The client is closed");
            }
        }
        if (options.hasSpec()) {
            try {
                broker.subscribe(new dev.courier.mq.client.protocol.SubscribeRequest(
                        topic, subscription, options.from(), options.spec()));
            } catch (dev.courier.rpc.RemoteException e) {
                MqException refused = MqException.refusal(e);
                if (refused != null) {
                    throw refused;
                }
            } catch (RuntimeException e) {
                // not reachable now: the subscriber subscribes once it is
            }
        }
        Subscriber s = new Subscriber(topic, subscription, broker, scheduler, codec, options, handler);
        owned.add(s);
        s.start();
        return s;
    }

    /** A queue: a topic consumed through its one subscription (named "queue"). */
    public MqQueue queue(String name) {
        return new MqQueue(this, name);
    }

    /** Topic and subscription admin over this client's connection. */
    public MqAdmin admin() {
        return new MqAdmin(broker);
    }

    /** The raw broker protocol, for tools. */
    public BrokerService broker() {
        return broker;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rpc.close();
    }
}
