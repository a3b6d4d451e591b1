/** Ratis-specific implementation of the Raft registry: state machine, command codec, client backend. */
package dev.courier.registry.raft.internal;
