/**
 * Coordination on top of a registry: distributed locks with fencing tokens, leader election, and
 * unique ids (snowflake-style with leased worker ids, and range-claiming segments).
 *
 * <p>Every primitive is built on two things a backend provides ({@link CoordinationBackend}): a
 * <em>lock queue</em> whose entries are bound to a client's session and ordered by a token that the
 * registry assigns and that only grows, and an atomic counter. The holder of a lock (the leader of an
 * election) is the entry with the lowest token; its token is the fencing token.
 */
package dev.courier.registry.coordination;
