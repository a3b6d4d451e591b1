package dev.courier.mq.client.protocol;

/**
 * Ends a transaction: its messages become visible to subscriptions (commit) or are discarded (rollback).
 *
 * @param topic       the topic of its messages
 * @param transaction the transaction's id
 * @param commit      true to commit, false to roll back
 */
public record EndTransactionRequest(String topic, String transaction, boolean commit) {}
