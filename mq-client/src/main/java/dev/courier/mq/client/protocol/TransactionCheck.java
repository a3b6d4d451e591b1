package dev.courier.mq.client.protocol;

/**
 * The broker asks a producer group for the outcome of a transaction its producer did not end.
 *
 * @param topic       the topic of its messages
 * @param transaction the transaction's id
 * @param messages    how many messages it holds
 * @param check       1 for the first check, more for later ones
 */
public record TransactionCheck(String topic, String transaction, int messages, int check) {}
