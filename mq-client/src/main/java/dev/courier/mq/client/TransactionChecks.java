package dev.courier.mq.client;

import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.EndTransactionRequest;
import dev.courier.mq.client.protocol.TransactionCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Answers the broker's transaction checks for one producer group: a long poll always waiting at the broker (no
 * thread of its own while it waits), each check answered on the client's scheduler. Closed with its client.
 */
final class TransactionChecks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TransactionChecks.class);
    static final long WAIT_MILLIS = 10_000;

    private final String group;
    private final BrokerService broker;
    private final ScheduledExecutorService scheduler;
    private final TransactionChecker checker;
    private volatile boolean closed;

    TransactionChecks(String group, BrokerService broker, ScheduledExecutorService scheduler, TransactionChecker c) {
        this.group = group;
        this.broker = broker;
        this.scheduler = scheduler;
        this.checker = c;
    }

    void start() {
        poll();
    }

    private void poll() {
        if (closed) {
            return;
        }
        try {
            broker.pollTransactionChecks(group, WAIT_MILLIS).whenComplete((checks, e) -> {
                if (e != null) {
                    log.debug("Polling transaction checks of group {} failed ({}); again in 1 s", group, e.toString());
                    later(this::poll, 1000);
                } else {
                    later(() -> answer(checks), 0);
                }
            });
        } catch (RuntimeException e) {
            later(this::poll, 1000);
        }
    }

    private void answer(List<TransactionCheck> checks) {
        for (TransactionCheck c : checks) {
            TransactionOutcome outcome;
            try {
                outcome = checker.check(c);
            } catch (Exception e) {
                log.warn("The checker of group {} failed on transaction {}", group, c.transaction(), e);
                outcome = TransactionOutcome.UNKNOWN;
            }
            if (outcome != null && outcome != TransactionOutcome.UNKNOWN) {
                try {
                    broker.endTransaction(new EndTransactionRequest(
                            c.topic(), c.transaction(), outcome == TransactionOutcome.COMMIT));
                } catch (RuntimeException e) {
                    log.warn("Ending transaction {} failed; the broker asks again", c.transaction(), e);
                }
            }
        }
        poll();
    }

    private void later(Runnable r, long delayMillis) {
        if (closed) {
            return;
        }
        try {
            scheduler.schedule(r, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the client is closing
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
