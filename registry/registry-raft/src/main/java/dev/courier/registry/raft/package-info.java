/**
 * The Raft registry ({@code raft://host:port,...}): a replicated registry server on Apache Ratis
 * ({@link dev.courier.registry.raft.RaftRegistryServer}), its client, and the {@code courier registry}
 * command line ({@link dev.courier.registry.raft.RegistryCommand}).
 */
package dev.courier.registry.raft;
