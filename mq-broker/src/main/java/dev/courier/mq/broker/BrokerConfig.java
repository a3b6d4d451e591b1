package dev.courier.mq.broker;

import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.broker.storage.Storage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of a {@link Broker}. Immutable; build with {@link #builder(Path)}.
 *
 * @param dataDir           where topics and cursors live
 * @param log               settings of every topic log without its own (segment size, fsync policy,
 *                          retention limits)
 * @param topicLogs         settings of the logs of named topics, replacing {@code log} for them
 * @param maxDeliveries     deliveries of a message before it moves to the dead-letter topic (default 16)
 * @param backoffBase       first redelivery delay after a nack without delay; doubles per delivery (default 100 ms)
 * @param backoffMax        the largest such delay (default 10 s)
 * @param sessionTimeout    a consumer silent this long is gone and its messages are redelivered (default 15 s)
 * @param maxFetchBytes     the most payload and header bytes in one fetch answer, across redeliveries and
 *                          new messages; a single larger message still goes alone (default 4 MiB)
 * @param maxMessageBytes   the largest payload a publish may carry; larger ones are refused with
 *                          {@link dev.courier.mq.client.protocol.MessageTooLargeException} (default 8 MiB)
 * @param maxPrefetch       the most unacknowledged messages one consumer may hold, whatever it asks for
 *                          (default 10,000)
 * @param tick              how often deadlines, sessions and waits are checked (default 20 ms)
 * @param housekeeping      how often retention runs and cursors are forced (default 1 s)
 * @param storage           the file system the broker's files live on (default the real one; a
 *                          {@link dev.courier.mq.broker.storage.SimulatedDisk} for fault tests)
 * @param clock             epoch milliseconds for ack deadlines, sessions, waits and backoff (default
 *                          the system clock; tests pass a fake one instead of waiting)
 * @param limits            how many topics and subscriptions may exist, in all and per principal
 * @param messageTtl        how long after it is stored a message of a topic without its own time to live may
 *                          still be delivered (zero: as long as it is kept; the default)
 * @param expired           what becomes of a message whose time to live passed before it was delivered
 *                          (default: it moves to the subscription's dead-letter topic, with reason
 *                          {@code expired})
 * @param transactionCheck  how long a transaction may stay open before the broker asks its producer group's
 *                          checkers for the outcome, and then between checks (default 5 s)
 * @param transactionChecks checks of an open transaction before it is rolled back as unresolved (default 5)
 */
public record BrokerConfig(
        Path dataDir,
        LogConfig log,
        Map<String, LogConfig> topicLogs,
        int maxDeliveries,
        Duration backoffBase,
        Duration backoffMax,
        Duration sessionTimeout,
        int maxFetchBytes,
        int maxMessageBytes,
        int maxPrefetch,
        Duration tick,
        Duration housekeeping,
        Storage storage,
        java.util.function.LongSupplier clock,
        Limits limits,
        Duration messageTtl,
        Expired expired,
        Duration transactionCheck,
        int transactionChecks) {

    /** What becomes of a message whose time to live passed before it was delivered. */
    public enum Expired {
        /** It moves to the subscription's dead-letter topic with the failure {@code expired}. */
        DEAD_LETTER,
        /** It is acknowledged without being delivered (and counted). */
        DROP
    }

    /**
     * Limits a client cannot push past, since every topic costs open files and memory. A creation over
     * one is refused with {@link dev.courier.rpc.PermissionDeniedException}; what exists is unaffected.
     * Dead-letter topics, which the broker creates itself, are exempt from both (a dead letter is never
     * refused for want of room), but count towards {@code maxTopics} for later creations.
     *
     * @param maxTopics                    topics in all (default 10,000)
     * @param maxTopicsPerPrincipal        topics one principal may create; anonymous callers share one
     *                                     count (default 1,000)
     * @param maxSubscriptionsPerPrincipal subscriptions one principal may create, over all topics
     *                                     (default 10,000)
     */
    public record Limits(int maxTopics, int maxTopicsPerPrincipal, int maxSubscriptionsPerPrincipal) {

        public Limits {
            if (maxTopics < 1 || maxTopicsPerPrincipal < 1 || maxSubscriptionsPerPrincipal < 1) {
                throw new IllegalArgumentException("Topic and subscription limits must be >= 1; got " + maxTopics + ", "
                        + maxTopicsPerPrincipal + ", " + maxSubscriptionsPerPrincipal);
            }
        }

        public static Limits defaults() {
            return new Limits(10_000, 1_000, 10_000);
        }
    }

    /**
     * The largest frame body the broker's transport takes (rpc-core's default): a fetch answer of
     * {@code maxFetchBytes} plus one more message, or one message of {@code maxMessageBytes}, must fit.
     */
    public static final int FRAME_LIMIT = 16 << 20;
    /** Room kept in a frame for what is not payload. */
    static final int FRAME_OVERHEAD = 1 << 20;

    public BrokerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(expired, "expired");
        if (transactionCheck.isNegative() || transactionCheck.isZero() || transactionChecks < 1) {
            throw new IllegalArgumentException("transactionCheck must be > 0 and transactionChecks >= 1; got "
                    + transactionCheck + ", " + transactionChecks);
        }
        if (messageTtl.isNegative()) {
            throw new IllegalArgumentException("messageTtl must be >= 0; got " + messageTtl);
        }
        if (maxMessageBytes < 1 || maxMessageBytes > FRAME_LIMIT - FRAME_OVERHEAD) {
            throw new IllegalArgumentException("maxMessageBytes must be in 1.." + (FRAME_LIMIT - FRAME_OVERHEAD)
                    + " (a message must fit in one frame of " + FRAME_LIMIT + " bytes); got " + maxMessageBytes);
        }
        if (maxFetchBytes < 1 || (long) maxFetchBytes + maxMessageBytes > FRAME_LIMIT - FRAME_OVERHEAD) {
            throw new IllegalArgumentException("maxFetchBytes + maxMessageBytes must be at most "
                    + (FRAME_LIMIT - FRAME_OVERHEAD) + " so that a fetch answer fits in one frame; got "
                    + maxFetchBytes + " + " + maxMessageBytes);
        }
        if (maxPrefetch < 1) {
            throw new IllegalArgumentException("maxPrefetch must be >= 1");
        }
        topicLogs = Map.copyOf(topicLogs);
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder(dataDir);
        b.log = log;
        b.topicLogs.putAll(topicLogs);
        b.maxDeliveries = maxDeliveries;
        b.backoffBase = backoffBase;
        b.backoffMax = backoffMax;
        b.sessionTimeout = sessionTimeout;
        b.maxFetchBytes = maxFetchBytes;
        b.maxMessageBytes = maxMessageBytes;
        b.maxPrefetch = maxPrefetch;
        b.tick = tick;
        b.housekeeping = housekeeping;
        b.storage = storage;
        b.clock = clock;
        b.limits = limits;
        b.messageTtl = messageTtl;
        b.expired = expired;
        b.transactionCheck = transactionCheck;
        b.transactionChecks = transactionChecks;
        return b;
    }

    /** The settings of the log of {@code topic}: its own if it has some, else {@link #log()}. */
    public LogConfig logFor(String topic) {
        return topicLogs.getOrDefault(topic, log);
    }

    /** Builds a {@link BrokerConfig}; not thread-safe. */
    public static final class Builder {
        private final Path dataDir;
        private LogConfig log = LogConfig.defaults();
        private final Map<String, LogConfig> topicLogs = new LinkedHashMap<>();
        private int maxDeliveries = 16;
        private Duration backoffBase = Duration.ofMillis(100);
        private Duration backoffMax = Duration.ofSeconds(10);
        private Duration sessionTimeout = Duration.ofSeconds(15);
        private int maxFetchBytes = 4 << 20;
        private int maxMessageBytes = 8 << 20;
        private int maxPrefetch = 10_000;
        private Duration tick = Duration.ofMillis(20);
        private Duration housekeeping = Duration.ofSeconds(1);
        private Limits limits = Limits.defaults();
        private Storage storage = Storage.files();
        private java.util.function.LongSupplier clock = System::currentTimeMillis;
        private Duration messageTtl = Duration.ZERO;
        private Expired expired = Expired.DEAD_LETTER;
        private Duration transactionCheck = Duration.ofSeconds(5);
        private int transactionChecks = 5;

        private Builder(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir);
        }

        public Builder log(LogConfig v) {
            log = v;
            return this;
        }

        /**
         * Gives the log of {@code topic} its own settings instead of {@link #log(LogConfig)}'s; for
         * example {@code log.toBuilder().retention(Duration.ofDays(1)).build()} for an age limit.
         */
        public Builder topicLog(String topic, LogConfig v) {
            topicLogs.put(Objects.requireNonNull(topic, "topic"), Objects.requireNonNull(v, "log"));
            return this;
        }

        public Builder maxDeliveries(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("maxDeliveries must be >= 1");
            }
            maxDeliveries = v;
            return this;
        }

        public Builder backoff(Duration base, Duration max) {
            backoffBase = base;
            backoffMax = max;
            return this;
        }

        public Builder sessionTimeout(Duration v) {
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("sessionTimeout must be > 0");
            }
            sessionTimeout = v;
            return this;
        }

        public Builder maxFetchBytes(int v) {
            maxFetchBytes = v;
            return this;
        }

        public Builder maxMessageBytes(int v) {
            maxMessageBytes = v;
            return this;
        }

        public Builder maxPrefetch(int v) {
            maxPrefetch = v;
            return this;
        }

        public Builder tick(Duration v) {
            tick = v;
            return this;
        }

        public Builder housekeeping(Duration v) {
            housekeeping = v;
            return this;
        }

        /** The file system of the broker's files; the caller keeps owning it (and closes it after the broker). */
        public Builder storage(Storage v) {
            storage = Objects.requireNonNull(v, "storage");
            return this;
        }

        /** The clock of deadlines, sessions, waits and backoff, in epoch milliseconds. */
        public Builder clock(java.util.function.LongSupplier v) {
            clock = Objects.requireNonNull(v, "clock");
            return this;
        }

        /** How many topics and subscriptions may exist; see {@link Limits}. */
        public Builder limits(Limits v) {
            limits = Objects.requireNonNull(v, "limits");
            return this;
        }

        /** The time to live of messages of topics without their own (zero: none). */
        public Builder messageTtl(Duration v) {
            messageTtl = Objects.requireNonNull(v, "messageTtl");
            return this;
        }

        /** What becomes of expired messages. */
        public Builder expired(Expired v) {
            expired = Objects.requireNonNull(v, "expired");
            return this;
        }

        /** When open transactions are checked, and how often before they are rolled back as unresolved. */
        public Builder transactionChecks(Duration interval, int checks) {
            transactionCheck = Objects.requireNonNull(interval, "interval");
            transactionChecks = checks;
            return this;
        }

        public BrokerConfig build() {
            return new BrokerConfig(
                    dataDir,
                    log,
                    topicLogs,
                    maxDeliveries,
                    backoffBase,
                    backoffMax,
                    sessionTimeout,
                    maxFetchBytes,
                    maxMessageBytes,
                    maxPrefetch,
                    tick,
                    housekeeping,
                    storage,
                    clock,
                    limits,
                    messageTtl,
                    expired,
                    transactionCheck,
                    transactionChecks);
        }
    }
}
