package dev.courier.mq.client;

/** What a local transaction or a check decided. */
public enum TransactionOutcome {
    /** The messages become visible to subscriptions. */
    COMMIT,
    /** The messages are discarded. */
    ROLLBACK,
    /** Not known yet: the broker asks the group's checkers again later. */
    UNKNOWN
}
