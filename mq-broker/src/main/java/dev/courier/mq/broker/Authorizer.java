package dev.courier.mq.broker;

/**
 * Decides whether a principal may act on a topic; the broker asks before every call runs. The
 * principal is the one the connection was authenticated as (client certificate or bearer token),
 * or {@code null} for an anonymous caller. See {@link TopicAcl} for the built-in rules.
 *
 * <p>Called on the broker's I/O and business threads: implementations are thread-safe, quick and
 * non-blocking.
 */
@FunctionalInterface
public interface Authorizer {

    /** What a call does to a topic. */
    enum Action {
        /** Append messages. */
        PUBLISH,
        /** Subscribe, fetch, ack, nack, extend and detach. */
        CONSUME,
        /**
         * Operate the topic: read it and its subscriptions, set its retention, delete it or a subscription,
         * seek, purge, replay dead letters, close its consumers. Not implied by {@link #CONSUME}, which only
         * reads the state of a subscription ({@code stats}).
         */
        ADMIN,
        /** Create a topic that does not exist yet (on first publish or subscribe). */
        CREATE
    }

    boolean allowed(String principal, String topic, Action action);

    /** Lets everyone do everything (the default when no rules are configured). */
    static Authorizer allowAll() {
        return (principal, topic, action) -> true;
    }
}
