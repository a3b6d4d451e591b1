package dev.courier.mq.client;

import dev.courier.mq.client.protocol.TransactionCheck;

/**
 * Answers the broker's question about a transaction a producer of the group began and did not end (it crashed
 * or lost its connection between its half messages and its decision), typically by looking the transaction id
 * up in the same database the local transaction wrote. Called on the client's scheduler thread: keep it short.
 */
@FunctionalInterface
public interface TransactionChecker {
    TransactionOutcome check(TransactionCheck check) throws Exception;
}
