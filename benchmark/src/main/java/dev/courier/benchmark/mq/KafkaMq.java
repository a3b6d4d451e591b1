package dev.courier.benchmark.mq;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Apache Kafka in KRaft mode (one combined broker/controller) started as a separate process from its
 * Maven artifacts on this JVM's classpath; topic with {@code flush.messages=1} (fsync per message
 * batch), producer with {@code acks=all} and a tuned {@code batch.size}/{@code linger.ms}.
 */
final class KafkaMq implements MqSystem {

    private static final String TOPIC = "bench";

    private Process server;
    private String bootstrap;
    private KafkaProducer<byte[], byte[]> producer;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread poller;
    private volatile boolean stopping;

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public void start(Path dataDir) throws Exception {
        int brokerPort = freePort();
        int controllerPort = freePort();
        bootstrap = "127.0.0.1:" + brokerPort;
        Path config = dataDir.resolve("server.properties");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                        "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                        "advertised.listeners=PLAINTEXT://" + bootstrap,
                        "controller.listener.names=CONTROLLER",
                        "inter.broker.listener.name=PLAINTEXT",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                        "log.dirs=" + dataDir.resolve("logs"),
                        "num.partitions=1",
                        "offsets.topic.replication.factor=1",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "share.coordinator.state.topic.replication.factor=1",
                        "share.coordinator.state.topic.min.isr=1",
                        "group.initial.rebalance.delay.ms=0",
                        ""));
        run(
                List.of(
                        "kafka.tools.StorageTool",
                        "format",
                        "-t",
                        Uuid.randomUuid().toString(),
                        "-c",
                        config.toString()),
                dataDir.resolve("format.log"));
        server = new ProcessBuilder(javaCommand(List.of("-Xms1g", "-Xmx1g", "kafka.Kafka", config.toString())))
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("kafka.log").toFile())
                .start();
        createTopic();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producer = new KafkaProducer<>(p);
    }

    private void createTopic() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("Kafka exited with " + server.exitValue() + "; see kafka.log");
            }
            try (Admin admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrap,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                    5000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                    5000))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)
                                .configs(Map.of("flush.messages", "1", "min.insync.replicas", "1"))))
                        .all()
                        .get(10, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
                TimeUnit.MILLISECONDS.sleep(500);
            }
        }
        throw new IllegalStateException("Kafka did not come up within 60 s", last);
    }

    @Override
    public void publishDurably(byte[] payload) throws Exception {
        producer.send(new ProducerRecord<>(TOPIC, payload)).get(30, TimeUnit.SECONDS);
    }

    @Override
    public Histogram startEndToEnd() throws InterruptedException {
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of(TOPIC));
        java.util.concurrent.CountDownLatch assigned = new java.util.concurrent.CountDownLatch(1);
        poller = new Thread(
                () -> {
                    try {
                        while (!stopping) {
                            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                                long micros = (System.nanoTime()
                                                - ByteBuffer.wrap(r.value()).getLong())
                                        / 1000;
                                synchronized (histogram) {
                                    histogram.recordValue(Math.min(micros, histogram.getHighestTrackableValue()));
                                }
                            }
                            if (!consumer.assignment().isEmpty()) {
                                assigned.countDown();
                            }
                        }
                    } catch (WakeupException e) {
                        // closing
                    } finally {
                        consumer.close();
                    }
                },
                "kafka-e2e-consumer");
        poller.start();
        assigned.await(30, TimeUnit.SECONDS);
        return histogram;
    }

    @Override
    public void close() throws IOException {
        stopping = true;
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (poller != null) {
            consumer.wakeup();
            try {
                poller.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (server != null) {
            server.destroy();
            try {
                if (!server.waitFor(20, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                server.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static List<String> javaCommand(List<String> tail) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(tail);
        return cmd;
    }

    private static void run(List<String> mainAndArgs, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(javaCommand(mainAndArgs))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(mainAndArgs.get(0) + " failed: " + Files.readString(log));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
