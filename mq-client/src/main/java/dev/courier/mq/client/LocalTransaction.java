package dev.courier.mq.client;

/** The work {@link Producer#sendInTransaction} does between storing the half message and deciding. */
@FunctionalInterface
public interface LocalTransaction {
    /** Runs the local transaction once the half message is stored; an exception rolls back. */
    TransactionOutcome execute(MessageId halfMessage) throws Exception;
}
