/**
 * The Raft-replicated registry server and its client, on Apache Ratis.
 */
package dev.courier.registry.raft;
