package dev.courier.mq.broker.cli;

import dev.courier.mq.client.MessageId;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Producer;
import dev.courier.mq.client.SubscribeOptions;
import dev.courier.mq.client.Subscriber;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.rpc.AuthenticationException;
import dev.courier.rpc.PermissionDeniedException;
import dev.courier.rpc.TlsOptions;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code courier mq publish|consume}: command-line producer and consumer. Payloads start with
 * {@code <id>|<send time in epoch microseconds>|}, padded to the requested size, so the consumer can
 * write ids and measure end-to-end latency. {@code mq admin} is {@link MqAdminCli}.
 */
@Command(
        name = "mq",
        mixinStandardHelpOptions = true,
        description = "Publishes to and consumes from a Courier broker.",
        subcommands = {MqCli.Publish.class, MqCli.Consume.class, MqCli.AckLoss.class, MqAdminCli.class})
public final class MqCli {

    /** Exit code when the broker refuses the credentials or the action. */
    static final int EXIT_REFUSED = 3;

    /** How a command connects: TLS files and a bearer token. */
    static final class Connect {
        @Option(names = "--tls-ca", description = "CA (PEM) the broker's certificate must be signed by: turns TLS on.")
        Path tlsCa;

        @Option(names = "--tls-cert", description = "Client certificate (PEM) for mutual TLS, with --tls-key.")
        Path tlsCert;

        @Option(names = "--tls-key", description = "Private key (PEM, PKCS#8) of --tls-cert.")
        Path tlsKey;

        @Option(names = "--token", description = "Bearer token presented to the broker.")
        String token;

        /** The TLS settings of the flags, or null for plaintext. */
        TlsOptions tls() {
            if ((tlsCert == null) != (tlsKey == null)) {
                throw new IllegalArgumentException("--tls-cert and --tls-key go together");
            }
            if (tlsCa == null && tlsCert == null) {
                return null;
            }
            TlsOptions.Builder b = TlsOptions.builder();
            if (tlsCa != null) {
                b.trust(tlsCa);
            }
            if (tlsCert != null) {
                b.keyCertChain(tlsCert, tlsKey);
            }
            return b.build();
        }

        MqClient connect(String broker, Duration sendTimeout) {
            return MqClient.connect(broker, sendTimeout, tls(), token);
        }
    }

    /** The message of a refusal by the broker in {@code t}'s causes, or null. */
    static String refusal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof AuthenticationException || c instanceof PermissionDeniedException) {
                return c.getMessage();
            }
        }
        return null;
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    static Writer open(Path file) throws IOException {
        return file == null ? Writer.nullWriter() : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    /** Publishes N messages, retrying through broker outages until all are acknowledged or the timeout passes. */
    @Command(name = "publish", mixinStandardHelpOptions = true, description = "Publishes N messages with unique ids.")
    static final class Publish implements Callable<Integer> {
        @Option(names = "--broker", defaultValue = "127.0.0.1:7400")
        String broker;

        @Option(names = "--topic", required = true)
        String topic;

        @Option(names = "--count", defaultValue = "1000")
        int count;

        @Option(names = "--size", defaultValue = "1024", description = "Payload bytes (at least the id header).")
        int size;

        @Option(names = "--ids-out", description = "Writes the id of every acknowledged message, one a line.")
        Path idsOut;

        @Option(names = "--timeout", defaultValue = "120", description = "Seconds to keep retrying.")
        long timeoutSeconds;

        @Option(names = "--rate", defaultValue = "0", description = "Messages per second (0: as fast as acked).")
        int rate;

        @Option(names = "--window", defaultValue = "4096", description = "Sends in flight at most.")
        int window;

        @Option(
                names = "--key",
                description = "The key of every message; {n} in it becomes the message's number modulo --keys.")
        String key;

        @Option(names = "--keys", defaultValue = "0", description = "How many keys {n} in --key spreads over.")
        int keys;

        @Option(names = "--header", description = "A header of every message, name=value; repeatable.")
        Map<String, String> headers = new LinkedHashMap<>();

        @Option(names = "--ttl", defaultValue = "0", description = "Time to live of each message, ms (0: none).")
        long ttlMillis;

        @Option(
                names = "--delay",
                defaultValue = "0",
                description = "Deliver each message this many ms after it is stored (0: at once; up to 30 days).")
        long delayMillis;

        @Mixin
        Connect connect;

        /** The key of message {@code i}, or null. */
        String keyOf(int i) {
            if (key == null) {
                return null;
            }
            return keys > 0 ? key.replace("{n}", Integer.toString(i % keys)) : key;
        }

        @Override
        public Integer call() throws Exception {
            String run = UUID.randomUUID().toString().substring(0, 8);
            AtomicLong acked = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            java.util.concurrent.atomic.AtomicReference<String> refused =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Semaphore inFlight = new Semaphore(window);
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            try (Writer ids = open(idsOut);
                    MqClient client = connect.connect(broker, Duration.ofSeconds(timeoutSeconds))) {
                Producer p = client.producer(topic);
                for (int i = 0; i < count; i++) {
                    if (rate > 0) {
                        long due = start + (long) i * 1_000_000_000L / rate;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                    if (refused.get() != null
                            || !inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        break;
                    }
                    String id = run + "-" + i;
                    byte[] head = (id + "|" + nowMicros() + "|").getBytes(StandardCharsets.UTF_8);
                    byte[] payload = new byte[Math.max(size, head.length)];
                    System.arraycopy(head, 0, payload, 0, head.length);
                    CompletableFuture<MessageId> sent =
                            key == null && headers.isEmpty() && ttlMillis == 0 && delayMillis == 0
                                    ? p.send(payload)
                                    : p.newMessage()
                                            .payload(payload)
                                            .key(keyOf(i))
                                            .headers(headers)
                                            .timeToLive(Duration.ofMillis(ttlMillis))
                                            .deliverAfter(Duration.ofMillis(delayMillis))
                                            .send();
                    sent.whenComplete((mid, e) -> {
                        if (e == null) {
                            synchronized (ids) {
                                try {
                                    ids.write(id);
                                    ids.write('\n');
                                    ids.flush();
                                } catch (IOException io) {
                                    throw new java.io.UncheckedIOException(io);
                                }
                            }
                            acked.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            String why = refusal(e);
                            if (why != null) {
                                refused.compareAndSet(null, why);
                            }
                        }
                        inFlight.release();
                    });
                }
                p.flush(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
            if (refused.get() != null) {
                System.err.println("courier mq: refused by the broker: " + refused.get());
                return EXIT_REFUSED;
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "published %d/%d acknowledged (%d failed) in %.2f s: %.0f msgs/s, %.1f MB/s%n",
                    acked.get(),
                    count,
                    failed.get(),
                    secs,
                    acked.get() / secs,
                    acked.get() * (double) size / secs / 1e6);
            return acked.get() == count ? 0 : 1;
        }
    }

    /** Consumes and acknowledges, writing every received id (duplicates included). */
    @Command(name = "consume", mixinStandardHelpOptions = true, description = "Consumes, acks and records ids.")
    static final class Consume implements Callable<Integer> {
        @Option(names = "--broker", defaultValue = "127.0.0.1:7400")
        String broker;

        @Option(names = "--topic", required = true)
        String topic;

        @Option(names = "--subscription", required = true)
        String subscription;

        @Option(names = "--count", defaultValue = "0", description = "Exit after this many messages (0: no limit).")
        long count;

        @Option(
                names = "--idle-exit",
                defaultValue = "0",
                description = "Exit after this many seconds without a message.")
        long idleExit;

        @Option(names = "--ids-out")
        Path idsOut;

        @Option(
                names = "--from",
                defaultValue = "earliest",
                description = "earliest | latest (for a new subscription).")
        String from;

        @Option(names = "--prefetch", defaultValue = "1000")
        int prefetch;

        @Option(
                names = "--key-filter",
                description = "A new subscription takes only keys matching this (words of a.b.c; * one, # any).")
        String keyFilter;

        @Option(names = "--header-filter", description = "A new subscription takes only messages with name=value.")
        Map<String, String> headerFilter = new LinkedHashMap<>();

        @Option(names = "--key-ordered", description = "A new subscription delivers each key's messages in order.")
        boolean keyOrdered;

        @Mixin
        Connect connect;

        @Override
        public Integer call() throws Exception {
            AtomicLong received = new AtomicLong();
            AtomicLong lastMessage = new AtomicLong(System.nanoTime());
            Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
            Object done = new Object();
            SubscribeOptions options = SubscribeOptions.defaults()
                    .prefetch(prefetch)
                    .from(StartPosition.valueOf(from.toUpperCase(Locale.ROOT)));
            if (keyFilter != null || !headerFilter.isEmpty() || keyOrdered) {
                options = options.keyFilter(keyFilter).keyOrdered(keyOrdered);
                for (Map.Entry<String, String> h : headerFilter.entrySet()) {
                    options = options.headerFilter(h.getKey(), h.getValue());
                }
            }
            try (Writer ids = new BufferedWriter(open(idsOut));
                    MqClient client = connect.connect(broker, Duration.ofSeconds(30))) {
                try {
                    // creates the subscription, and a refused token or topic ends the command at once
                    client.broker()
                            .subscribe(new SubscribeRequest(
                                    topic, subscription, options.from(), options.hasSpec() ? options.spec() : null));
                } catch (AuthenticationException | PermissionDeniedException e) {
                    System.err.println("courier mq: refused by the broker: " + e.getMessage());
                    return EXIT_REFUSED;
                } catch (dev.courier.rpc.RemoteException e) {
                    System.err.println("courier mq: " + e.remoteMessage());
                    return 1;
                }
                lastMessage.set(System.nanoTime()); // --idle-exit counts from here, once connected
                Subscriber sub = client.subscribe(topic, subscription, options, m -> {
                    long now = nowMicros();
                    String text =
                            new String(m.payload(), 0, Math.min(m.payload().length, 96), StandardCharsets.US_ASCII);
                    String[] parts = text.split("\\|", 3);
                    synchronized (ids) {
                        ids.write(parts[0]);
                        ids.write('\n');
                        if (parts.length >= 2) {
                            try {
                                latency.recordValue(Math.max(0, now - Long.parseLong(parts[1])));
                            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                                // not a payload from "mq publish"
                            }
                        }
                    }
                    lastMessage.set(System.nanoTime());
                    if (received.incrementAndGet() == count) {
                        synchronized (done) {
                            done.notifyAll();
                        }
                    }
                });
                synchronized (done) {
                    while (count <= 0 || received.get() < count) {
                        if (idleExit > 0
                                && System.nanoTime() - lastMessage.get() > TimeUnit.SECONDS.toNanos(idleExit)) {
                            break;
                        }
                        done.wait(100);
                    }
                }
                sub.close();
                synchronized (ids) {
                    ids.flush();
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "consumed %d messages; end-to-end latency p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    received.get(),
                    latency.getValueAtPercentile(50) / 1000.0,
                    latency.getValueAtPercentile(99) / 1000.0,
                    latency.getMaxValue() / 1000.0);
            return 0;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new MqCli()).execute(args));
    }

    /** An operator accepts the loss of offsets the broker found damaged: they are acknowledged. */
    @Command(
            name = "ack-loss",
            mixinStandardHelpOptions = true,
            description =
                    "Acknowledges offsets a subscription reports missing (damaged on disk), so it moves past them.")
    static final class AckLoss implements Callable<Integer> {
        @Option(names = "--broker", defaultValue = "127.0.0.1:7400")
        String broker;

        @Option(names = "--topic", required = true)
        String topic;

        @Option(names = "--subscription", required = true)
        String subscription;

        @Option(names = "--from", required = true, description = "First offset (inclusive).")
        long from;

        @Option(names = "--to", required = true, description = "Last offset (exclusive).")
        long to;

        @Override
        public Integer call() {
            try (MqClient client = MqClient.connect(broker)) {
                int n = client.broker().acknowledgeLoss(topic, subscription, from, to);
                System.out.println("ACK-LOSS topic=" + topic + " subscription=" + subscription + " acknowledged=" + n);
                return 0;
            }
        }
    }
}
