package dev.courier.benchmark.mq;

import dev.courier.benchmark.load.LoadResult;
import dev.courier.benchmark.load.LoadRunner;
import dev.courier.mq.broker.Broker;
import dev.courier.mq.broker.EmbeddedBroker;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Producer;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker's cost per topic, for {@code bench mq --topics}: in one JVM with an embedded broker, it
 * creates {@code topics} topics and one idle subscription on each, measuring the heap each adds; publishes
 * durably over all of them, spread evenly; counts the JVM's threads and heap after the run; and times a
 * restart of the broker on the data written.
 *
 * <p>Heap figures are the used heap after a full collection, for the whole JVM: the broker and the one
 * client, which keeps nothing per topic or subscription created through the admin calls used here.
 */
public final class TopicScale {

    /** Threads creating topics and subscriptions at once: the admin calls are one round trip each. */
    private static final int CREATORS = 16;

    /** The topic names of a run. */
    public static String topic(int i) {
        return "scale-" + i;
    }

    /** What a run measured, besides the publish load. */
    public record Figures(
            LoadResult publish,
            int topics,
            int threads,
            int brokerThreads,
            long heapAfterBytes,
            long directAfterBytes,
            double heapPerTopicBytes,
            double heapPerSubscriptionBytes,
            double createSeconds,
            long startupMillis) {

        /** The {@code name=value} fields of its RESULT line. */
        public Map<String, String> fields() {
            Map<String, String> f = new LinkedHashMap<>();
            f.put("topics", Integer.toString(topics));
            f.put("threads", Integer.toString(threads));
            f.put("broker_threads", Integer.toString(brokerThreads));
            f.put("heap_mb", String.format(Locale.ROOT, "%.1f", heapAfterBytes / 1048576.0));
            f.put("direct_mb", String.format(Locale.ROOT, "%.1f", directAfterBytes / 1048576.0));
            f.put("heap_per_topic_kib", String.format(Locale.ROOT, "%.1f", heapPerTopicBytes / 1024));
            f.put("heap_per_subscription_kib", String.format(Locale.ROOT, "%.1f", heapPerSubscriptionBytes / 1024));
            f.put("create_s", String.format(Locale.ROOT, "%.1f", createSeconds));
            f.put("startup_ms", Long.toString(startupMillis));
            return f;
        }
    }

    private TopicScale() {}

    public static Figures run(
            int topics, byte[] payload, int inFlight, int warmup, int duration, Path dataDir, PrintStream out)
            throws Exception {
        int threads;
        int brokerThreads;
        long heapAfter;
        long directAfter;
        double perTopic;
        double perSubscription;
        double createSeconds;
        LoadResult load;
        Broker broker = EmbeddedBroker.start(dataDir);
        try (MqClient client = MqClient.connect("127.0.0.1:" + broker.port())) {
            long heap0 = usedHeapAfterGc();
            long start = System.nanoTime();
            forEachTopic(topics, i -> client.admin().createTopic(topic(i)));
            createSeconds = (System.nanoTime() - start) / 1e9;
            long heap1 = usedHeapAfterGc();
            forEachTopic(
                    topics,
                    i -> client.broker().subscribe(new SubscribeRequest(topic(i), "idle", StartPosition.LATEST)));
            long heap2 = usedHeapAfterGc();
            perTopic = (heap1 - heap0) / (double) topics;
            perSubscription = (heap2 - heap1) / (double) topics;
            out.printf(
                    Locale.ROOT,
                    "   %d topics created in %.1f s; idle heap %.1f KiB per topic, %.1f KiB per subscription%n",
                    topics,
                    createSeconds,
                    perTopic / 1024,
                    perSubscription / 1024);

            Producer[] producers = new Producer[topics];
            for (int i = 0; i < topics; i++) {
                producers[i] = client.producer(topic(i));
            }
            AtomicLong next = new AtomicLong();
            String label = "courier publish-" + payload.length + "B-topics-" + topics;
            out.println("== " + label + ", " + inFlight + " in flight: warm-up " + warmup + " s, measure " + duration
                    + " s");
            load = new LoadRunner(inFlight, 0, out)
                    .run(
                            () -> producers[(int) (next.getAndIncrement() % topics)]
                                    .send(payload)
                                    .get(30, TimeUnit.SECONDS),
                            warmup,
                            duration,
                            label);
            threads = ManagementFactory.getThreadMXBean().getThreadCount();
            brokerThreads = brokerThreads();
            heapAfter = usedHeapAfterGc();
            directAfter = directBytes();
        } finally {
            broker.close();
        }
        long start = System.nanoTime();
        EmbeddedBroker.start(dataDir).close();
        long startup = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        out.printf(
                Locale.ROOT,
                "   %d threads (%d the broker's), heap %.0f MiB and direct buffers %.0f MiB after the run; restart"
                        + " %d ms%n",
                threads,
                brokerThreads,
                heapAfter / 1048576.0,
                directAfter / 1048576.0,
                startup);
        return new Figures(
                load,
                topics,
                threads,
                brokerThreads,
                heapAfter,
                directAfter,
                perTopic,
                perSubscription,
                createSeconds,
                startup);
    }

    private interface TopicJob {
        void run(int topic) throws Exception;
    }

    private static void forEachTopic(int topics, TopicJob job) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CREATORS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < CREATORS; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    for (int i = first; i < topics; i += CREATORS) {
                        job.run(i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The broker's live threads: those named {@code courier-*} but for the client's ({@code courier-client-*},
     * {@code courier-mq-*}). Its RPC server's business pool is among them, which grows up to its bound with the
     * concurrent admin calls of the set-up and shrinks after a minute idle.
     */
    static int brokerThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n ->
                        n.startsWith("courier-") && !n.startsWith("courier-client-") && !n.startsWith("courier-mq-"))
                .count();
    }

    /** Memory held by the JVM's direct buffers (Netty's pooled arenas are not among them). */
    static long directBytes() {
        return ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct"))
                .mapToLong(java.lang.management.BufferPoolMXBean::getMemoryUsed)
                .sum();
    }

    /** The used heap after a full collection (two, so that what the first finalized is gone too). */
    static long usedHeapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
